"""Pages through a Lantaarn SensorThings service with the frost-sta-client (PyPI), as a
SensorThings client would: every Thing, each Thing's Datastreams, each Datastream's
Observations, following @iot.nextLink. Usage: frost_client.py ROOT_URL EXPECTED_JSON, where
EXPECTED_JSON maps each Datastream id to its number of observations."""
import json
import sys

import frost_sta_client as fsc

root, expected = sys.argv[1], json.loads(sys.argv[2])
service = fsc.SensorThingsService(root)
seen = {}
things = list(service.things().query().top(2).list())          # small pages: nextLink is followed
for thing in things:
    for datastream in thing.get_datastreams().query().list():
        observations = list(datastream.get_observations().query().top(7).orderby("phenomenonTime", "asc").list())
        times = [o.phenomenon_time for o in observations]
        assert times == sorted(times), (datastream.id, times[:5])
        assert len({o.id for o in observations}) == len(observations), datastream.id
        seen[datastream.id] = len(observations)
assert seen == expected, (seen, expected)

# Filters on time and result, $count, $expand.
ds = sorted(expected)[0]
page = service.datastreams().find(ds).get_observations().query().filter("result gt 10 and result le 20").top(1000).list()
assert all(10 < o.result <= 20 for o in page), ds
things = list(service.things().query().expand("Datastreams").list())
assert all(len(t.datastreams.entities) > 0 for t in things)
print(f"frost-sta-client ok: {len(things)} things, {len(seen)} datastreams, {sum(seen.values())} observations")
