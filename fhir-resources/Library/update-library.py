#!/usr/bin/env python3
"""Writes the FHIR Library resource from the CQL source and its ELM JSON beside it.

  python3 fhir-resources/Library/update-library.py          rewrite Library-*.json from the .cql and ELM .json
  python3 fhir-resources/Library/update-library.py --check  exit 1 when the Library's content differs from them

The Library carries both files byte for byte as base64 (text/cql and application/elm+json); its name and
version come from the ELM identifier, its ValueSet dependencies from the ELM valueSets.
"""
import base64
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
NAME = "VertebralAugmentationPrepopulation"
CQL = HERE / f"{NAME}.cql"
ELM = HERE / f"{NAME}.json"
LIBRARY = HERE / "Library-vertebral-augmentation-prepopulation.json"
BASE = "http://vacdshooks.example.org/fhir"


def build():
    cql = CQL.read_bytes()
    elm_bytes = ELM.read_bytes()
    elm = json.loads(elm_bytes)["library"]
    version = elm["identifier"]["version"]
    if elm["identifier"]["id"] != NAME or f"library {NAME} version '{version}'" not in cql.decode("utf-8"):
        sys.exit("the CQL and ELM name or version differ")
    value_sets = [v["id"] for v in elm.get("valueSets", {}).get("def", [])]
    return {
        "resourceType": "Library",
        "id": "vertebral-augmentation-prepopulation",
        "url": f"{BASE}/Library/{NAME}",
        "version": version,
        "name": NAME,
        "title": "Vertebral augmentation documentation: pre-population logic",
        "status": "active",
        "experimental": False,
        "type": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/library-type",
                    "code": "logic-library",
                    "display": "Logic Library",
                }
            ]
        },
        "subjectCodeableConcept": {
            "coding": [{"system": "http://hl7.org/fhir/resource-types", "code": "Patient"}]
        },
        "date": "2026-12-02",
        "publisher": "VaCdsHooks payer coverage policy",
        "description": (
            "CQL for pre-populating the vertebral augmentation documentation questionnaire "
            f"({BASE}/Questionnaire/vertebral-augmentation-documentation): the onset of the vertebral lesion, "
            "the latest 0-10 pain score, the latest Oswestry Disability Index, and the modality and date of "
            "the latest imaging study of the spine."
        ),
        "relatedArtifact": [
            {"type": "depends-on", "resource": "http://hl7.org/fhir/Library/FHIR-ModelInfo|4.0.1"}
        ]
        + [{"type": "depends-on", "resource": url} for url in value_sets],
        "dataRequirement": [
            {"type": "Patient"},
            {"type": "Condition", "codeFilter": [{"path": "code", "valueSet": f"{BASE}/ValueSet/vertebral-lesions"}]},
            {"type": "Observation", "codeFilter": [{"path": "code", "valueSet": f"{BASE}/ValueSet/pain-severity-score"}]},
            {"type": "Observation", "codeFilter": [{"path": "code", "valueSet": f"{BASE}/ValueSet/disability-score-odi"}]},
            {"type": "ImagingStudy"},
        ],
        "content": [
            {"contentType": "text/cql", "data": base64.b64encode(cql).decode("ascii")},
            {"contentType": "application/elm+json", "data": base64.b64encode(elm_bytes).decode("ascii")},
        ],
    }


def main():
    text = json.dumps(build(), indent=2) + "\n"
    if "--check" in sys.argv[1:]:
        if not LIBRARY.exists() or LIBRARY.read_text(encoding="utf-8") != text:
            sys.exit(f"{LIBRARY.name} is out of date: run python3 {Path(__file__).relative_to(HERE.parent.parent)}")
        print(f"{LIBRARY.name} matches {CQL.name} and {ELM.name}")
        return
    LIBRARY.write_text(text, encoding="utf-8")
    print(f"wrote {LIBRARY.name}")


if __name__ == "__main__":
    main()
