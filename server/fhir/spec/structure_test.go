package spec

import "testing"

func TestStructureTable(t *testing.T) {
	obs := StructureOf("Observation")
	if obs == nil || obs.Class != ResourceClass {
		t.Fatalf("Observation: %+v", obs)
	}
	for name, want := range map[string]string{"status": "code", "valueQuantity": "Quantity", "effectiveDateTime": "dateTime", "component": "Observation_Component"} {
		el := obs.Elements[name]
		if el == nil {
			t.Fatalf("Observation.%s missing", name)
		}
		got := ""
		if el.Prim != nil {
			got = el.Prim.Name
		} else if el.Type != nil {
			got = el.Type.Name
		}
		if got != want {
			t.Errorf("Observation.%s: type %s, want %s", name, got, want)
		}
	}
	if !obs.Elements["status"].Required || !obs.Elements["status"].Enum["final"] || obs.Elements["status"].Enum["done"] {
		t.Errorf("Observation.status: %+v", obs.Elements["status"])
	}
	if !obs.Elements["category"].Array || obs.Elements["code"].Array {
		t.Error("cardinality")
	}
	if len(obs.Choices["value"]) != 11 || obs.Elements["valueQuantity"].Choice != "value" {
		t.Errorf("value[x]: %d variants", len(obs.Choices["value"]))
	}
	if mr := StructureOf("MedicationRequest"); len(mr.RequiredChoices) != 1 || mr.RequiredChoices[0] != "medication" {
		t.Errorf("MedicationRequest required choices %v", mr.RequiredChoices)
	}
	if ext := StructureOf("Extension"); len(ext.RequiredChoices) != 0 || len(ext.Choices["value"]) < 40 {
		t.Errorf("Extension choices %d required %v", len(ext.Choices["value"]), ext.RequiredChoices)
	}
	pat := StructureOf("Patient")
	for _, s := range []string{"identifier", "name", "gender", "birthDate", "deceasedBoolean", "address"} {
		if !pat.Elements[s].Summary {
			t.Errorf("Patient.%s should be a summary element", s)
		}
	}
	for _, s := range []string{"contact", "photo", "maritalStatus", "communication"} {
		if pat.Elements[s].Summary {
			t.Errorf("Patient.%s should not be a summary element", s)
		}
	}
	if !StructureOf("Narrative").Elements["div"].XHTML || !obs.Elements["contained"].Resource {
		t.Error("div / contained")
	}
	if primitiveOf("dateTime").Pattern == nil || primitiveOf("decimal").Kind != JSONNumber {
		t.Error("primitives")
	}
}
