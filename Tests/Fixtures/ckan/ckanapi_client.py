"""Lists, shows and searches every dataset of a Lantaarn server with the ckanapi client
(PyPI), as a harvester would. Usage: ckanapi_client.py BASE_URL EXPECTED_JSON, where
EXPECTED_JSON maps each dataset name to the number of resources it must have."""
import json
import sys

from ckanapi import NotFound, RemoteCKAN, ValidationError

base, expected = sys.argv[1], json.loads(sys.argv[2])
with RemoteCKAN(base, user_agent="lantaarn-test") as ckan:   # POST with a JSON body
    names = ckan.action.package_list()
    assert sorted(names) == sorted(expected), (names, expected)
    for name in names:
        package = ckan.action.package_show(id=name)
        assert package["name"] == name and package["title"], package
        assert len(package["resources"]) == expected[name], (name, package["resources"])
        assert all(r["url"].startswith(base + "/datasets/") for r in package["resources"]), package["resources"]
        assert package["organization"]["title"], package
    page = ckan.action.package_search(q="", rows=1, start=1)
    assert page["count"] == len(names) and len(page["results"]) == 1, page
    assert ckan.action.package_search(q="bestaat-niet-xyz")["count"] == 0
    organizations = ckan.action.organization_list()
    assert len(organizations) == 1, organizations
    try:
        ckan.action.package_show(id="bestaat-niet")
        raise SystemExit("package_show of an unknown id did not raise NotFound")
    except NotFound:
        pass
    try:
        ckan.action.package_show()
        raise SystemExit("package_show without id did not raise ValidationError")
    except ValidationError:
        pass
with RemoteCKAN(base, user_agent="lantaarn-test", get_only=True) as ckan:   # GET with query parameters
    assert sorted(ckan.action.package_list()) == sorted(names)
    assert ckan.action.package_show(id=names[0])["name"] == names[0]
print("ckanapi ok:", len(names), "packages,", organizations[0])
