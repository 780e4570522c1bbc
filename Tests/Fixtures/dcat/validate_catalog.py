"""Validates a Lantaarn catalogue with pyshacl (PyPI) against two profiles: the official
DCAT-AP-NL 3.0 SHACL shapes (../shared/data/dcat) and DCAT-AP 3.0.1 (EU), whose constraints are
in Tests/Fixtures/dcat/dcat-ap-3.0.1 (see the README there). Then it checks what the shapes
cannot: closed datasets have no distribution, public ones one per format, spatial and temporal
coverage are there, and the properties DCAT-AP 3.0.1 recommends (an EU data theme next to each
OWMS theme, keywords, availability and a description on each distribution, bounding box and
centroid on locations with a boundary map, the catalogue's theme taxonomies, issue date,
licence and spatial coverage).

Usage: validate_catalog.py CATALOG_FILE FORMAT NL_SHAPES_DIR EU_SHAPES_FILE EXPECTED_JSON [BBOX]
FORMAT is turtle or json-ld; EXPECTED_JSON maps each dataset name to its number of
distributions; BBOX "lon,lat" names a point every wijk location's bounding box must lie near
(within 0.2 degrees), and asks that every wijk location has one."""
import json
import sys

from pyshacl import validate
from rdflib import Graph, Namespace
from rdflib.namespace import RDF, SH, SKOS

path, fmt, nl_dir, eu_file, expected = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], json.loads(sys.argv[5])
near = [float(v) for v in sys.argv[6].split(",")] if len(sys.argv) > 6 else None
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
R5R = Namespace("http://data.europa.eu/r5r/")
EU_THEMES = "http://publications.europa.eu/resource/authority/data-theme/"

data = Graph().parse(path, format=fmt)
nl = Graph()
for name in ["geonovum-nl30_dcat-ap-nl-SHACL.ttl", "geonovum-nl30_dcat-ap-nl-SHACL-klassebereik.ttl",
             "geonovum-nl30_dcat-ap-nl-SHACL-klassebereik-codelijsten.ttl", "geonovum-nl30_dcat-ap-nl-SHACL-aanbevolen.ttl"]:
    nl.parse(f"{nl_dir}/{name}", format="turtle")
eu = Graph().parse(eu_file, format="turtle")

failed = []
counts = {}
for profile, shapes in [("DCAT-AP-NL 3.0", nl), ("DCAT-AP 3.0.1", eu)]:
    conforms, report, text = validate(data, shacl_graph=shapes, allow_warnings=True)
    results = list(report.subjects(RDF.type, SH.ValidationResult))
    violations = [r for r in results if report.value(r, SH.resultSeverity) == SH.Violation]
    counts[profile] = (len(violations), len(results) - len(violations))
    if violations:
        print(text)
        failed.append(f"{profile}: {len(violations)} violations")
if failed:
    sys.exit("; ".join(failed))

datasets = {str(d).rsplit("/", 1)[-1]: d for d in data.subjects(RDF.type, DCAT.Dataset)}
assert sorted(datasets) == sorted(expected), (sorted(datasets), expected)
for name, count in expected.items():
    d = datasets[name]
    distributions = list(data.objects(d, DCAT.distribution))
    assert len(distributions) == count, (name, len(distributions))
    assert data.value(d, DCT.accessRights) is not None, name
    themes = [str(t) for t in data.objects(d, DCAT.theme)]
    assert any(t.startswith(EU_THEMES) for t in themes) and any("/owms/terms/" in t for t in themes), (name, themes)
    assert all(data.value(t, SKOS.prefLabel) is not None for t in data.objects(d, DCAT.theme)), name
    assert list(data.objects(d, DCAT.keyword)), name
    if count == 0:
        assert str(data.value(d, DCT.accessRights)).endswith("/NON_PUBLIC"), name
        assert data.value(d, DCT.rights) is not None, name
    else:
        assert list(data.objects(d, DCT.spatial)) and data.value(d, DCT.temporal) is not None, name
    for dist in distributions:
        assert data.value(dist, R5R.availability) is not None and data.value(dist, DCT.description) is not None, (name, dist)
    if near:
        for location in data.objects(d, DCT.spatial):
            if "#wijk-" not in str(location):
                continue
            bbox, centroid = data.value(location, DCAT.bbox), data.value(location, DCAT.centroid)
            assert bbox is not None and centroid is not None, (name, location)
            lon, lat = [float(v) for v in str(centroid).removeprefix("POINT(").removesuffix(")").split()]
            assert abs(lon - near[0]) < 0.2 and abs(lat - near[1]) < 0.2, (location, str(centroid))
            assert str(bbox).startswith("POLYGON((") and str(bbox.datatype).endswith("#wktLiteral"), str(bbox)
catalogs = list(data.subjects(RDF.type, DCAT.Catalog))
assert len(catalogs) == 1 and len(list(data.objects(catalogs[0], DCAT.dataset))) == len(expected)
catalog = catalogs[0]
for prop in [DCAT.themeTaxonomy, DCT.issued, DCT.license, DCT.spatial]:
    assert data.value(catalog, prop) is not None, f"the catalogue has no {prop}"
services = list(data.subjects(RDF.type, DCAT.DataService))
assert len(services) == 1
summary = ", ".join(f"{p}: {v} violations, {w} warnings" for p, (v, w) in counts.items())
print(f"pyshacl ok: {len(data)} triples, {len(datasets)} datasets; {summary}")
