"""Validates a Lantaarn catalogue against the official DCAT-AP-NL 3.0 SHACL shapes with pyshacl
(PyPI), then checks what the shapes cannot: closed datasets have no distribution, public ones
one per format, spatial coverage and temporal coverage are there.

Usage: validate_catalog.py CATALOG_FILE FORMAT SHAPES_DIR EXPECTED_JSON
FORMAT is turtle or json-ld; EXPECTED_JSON maps each dataset name to its number of distributions."""
import json
import sys

from pyshacl import validate
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, SH

path, fmt, shapes_dir, expected = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")

data = Graph().parse(path, format=fmt)
shapes = Graph()
for name in ["geonovum-nl30_dcat-ap-nl-SHACL.ttl", "geonovum-nl30_dcat-ap-nl-SHACL-klassebereik.ttl",
             "geonovum-nl30_dcat-ap-nl-SHACL-klassebereik-codelijsten.ttl", "geonovum-nl30_dcat-ap-nl-SHACL-aanbevolen.ttl"]:
    shapes.parse(f"{shapes_dir}/{name}", format="turtle")

conforms, report, text = validate(data, shacl_graph=shapes, allow_warnings=True)
results = list(report.subjects(RDF.type, SH.ValidationResult))
severity = lambda r: report.value(r, SH.resultSeverity)
violations = [r for r in results if severity(r) == SH.Violation]
warnings = [r for r in results if severity(r) == SH.Warning]
if violations:
    print(text)
    sys.exit(f"{len(violations)} violations")

datasets = {str(d).rsplit("/", 1)[-1]: d for d in data.subjects(RDF.type, DCAT.Dataset)}
assert sorted(datasets) == sorted(expected), (sorted(datasets), expected)
for name, count in expected.items():
    d = datasets[name]
    distributions = list(data.objects(d, DCAT.distribution))
    assert len(distributions) == count, (name, len(distributions))
    assert data.value(d, DCT.accessRights) is not None, name
    if count == 0:
        assert str(data.value(d, DCT.accessRights)).endswith("/NON_PUBLIC"), name
        assert data.value(d, DCT.rights) is not None, name
    else:
        assert list(data.objects(d, DCT.spatial)) and data.value(d, DCT.temporal) is not None, name
catalogs = list(data.subjects(RDF.type, DCAT.Catalog))
assert len(catalogs) == 1 and len(list(data.objects(catalogs[0], DCAT.dataset))) == len(expected)
services = list(data.subjects(RDF.type, DCAT.DataService))
assert len(services) == 1
print(f"pyshacl ok: {len(data)} triples, {len(datasets)} datasets, 0 violations, {len(warnings)} warnings")
