package synth

// The medication catalog (RxNorm clinical drugs). Codes and displays are RxNorm SCD/SBD concepts also used
// by Synthea; dosage is a plausible adult regimen written as text, timing and a dose quantity.

// MedicationDef is one catalog entry.
type MedicationDef struct {
	Code      string // RxNorm
	Display   string
	Dose      Dec
	DoseUnit  string // UCUM code (annotations for countable forms)
	Frequency int    // administrations per period
	Period    int
	PeriodU   string // UCUM time unit: h, d, wk
	AsNeeded  bool
	Days      int // course length for acute treatment; 0 = ongoing
	Text      string
}

var medicationCatalog = []MedicationDef{
	{"314076", "lisinopril 10 MG Oral Tablet", Dec{10, 0}, "mg", 1, 1, "d", false, 0, "Take 10 mg by mouth once daily"},
	{"197361", "amlodipine 5 MG Oral Tablet", Dec{5, 0}, "mg", 1, 1, "d", false, 0, "Take 5 mg by mouth once daily"},
	{"310798", "hydrochlorothiazide 25 MG Oral Tablet", Dec{25, 0}, "mg", 1, 1, "d", false, 0, "Take 25 mg by mouth every morning"},
	{"979485", "losartan potassium 25 MG Oral Tablet", Dec{25, 0}, "mg", 1, 1, "d", false, 0, "Take 25 mg by mouth once daily"},
	{"860975", "24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet", Dec{500, 0}, "mg", 1, 1, "d", false, 0, "Take 500 mg by mouth once daily with the evening meal"},
	{"1373463", "canagliflozin 100 MG Oral Tablet", Dec{100, 0}, "mg", 1, 1, "d", false, 0, "Take 100 mg by mouth before the first meal of the day"},
	{"897122", "3 ML liraglutide 6 MG/ML Pen Injector", Dec{12, 1}, "mg", 1, 1, "d", false, 0, "Inject 1.2 mg under the skin once daily"},
	{"106892", "insulin isophane, human 70 UNT/ML / insulin, regular, human 30 UNT/ML Injectable Suspension", Dec{20, 0}, "[IU]", 2, 1, "d", false, 0, "Inject 20 units under the skin twice daily before meals"},
	{"314231", "simvastatin 10 MG Oral Tablet", Dec{10, 0}, "mg", 1, 1, "d", false, 0, "Take 10 mg by mouth every evening"},
	{"312961", "simvastatin 20 MG Oral Tablet", Dec{20, 0}, "mg", 1, 1, "d", false, 0, "Take 20 mg by mouth every evening"},
	{"259255", "atorvastatin 80 MG Oral Tablet", Dec{80, 0}, "mg", 1, 1, "d", false, 0, "Take 80 mg by mouth once daily"},
	{"745679", "200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler", Dec{2, 0}, "{puff}", 1, 4, "h", true, 0, "Inhale 2 puffs every 4 hours as needed for wheezing or shortness of breath"},
	{"895994", "120 ACTUAT fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler", Dec{2, 0}, "{puff}", 2, 1, "d", false, 0, "Inhale 2 puffs twice daily; rinse mouth after use"},
	{"896209", "60 ACTUAT fluticasone propionate 0.25 MG/ACTUAT / salmeterol 0.05 MG/ACTUAT Dry Powder Inhaler", Dec{1, 0}, "{puff}", 2, 1, "d", false, 0, "Inhale 1 puff twice daily"},
	{"245314", "albuterol 5 MG/ML Inhalation Solution", Dec{5, 1}, "mL", 1, 6, "h", true, 0, "Nebulize 0.5 mL every 6 hours as needed for shortness of breath"},
	{"966222", "levothyroxine sodium 0.075 MG Oral Tablet", Dec{75, 3}, "mg", 1, 1, "d", false, 0, "Take 75 mcg by mouth every morning on an empty stomach"},
	{"312938", "sertraline 100 MG Oral Tablet", Dec{100, 0}, "mg", 1, 1, "d", false, 0, "Take 100 mg by mouth once daily"},
	{"310385", "fluoxetine 20 MG Oral Capsule", Dec{20, 0}, "mg", 1, 1, "d", false, 0, "Take 20 mg by mouth every morning"},
	{"855332", "warfarin sodium 5 MG Oral Tablet", Dec{5, 0}, "mg", 1, 1, "d", false, 0, "Take 5 mg by mouth once daily in the evening; dose adjusted to INR"},
	{"197604", "digoxin 0.125 MG Oral Tablet", Dec{125, 3}, "mg", 1, 1, "d", false, 0, "Take 0.125 mg by mouth once daily"},
	{"897718", "verapamil hydrochloride 40 MG Oral Tablet", Dec{40, 0}, "mg", 3, 1, "d", false, 0, "Take 40 mg by mouth three times daily"},
	{"866414", "24 HR metoprolol succinate 100 MG Extended Release Oral Tablet [Toprol]", Dec{100, 0}, "mg", 1, 1, "d", false, 0, "Take 100 mg by mouth once daily"},
	{"313988", "furosemide 40 MG Oral Tablet", Dec{40, 0}, "mg", 1, 1, "d", false, 0, "Take 40 mg by mouth every morning"},
	{"309362", "clopidogrel 75 MG Oral Tablet", Dec{75, 0}, "mg", 1, 1, "d", false, 0, "Take 75 mg by mouth once daily"},
	{"243670", "aspirin 81 MG Oral Tablet", Dec{81, 0}, "mg", 1, 1, "d", false, 0, "Take 81 mg by mouth once daily"},
	{"705129", "nitroglycerin 0.4 MG/ACTUAT Mucosal Spray", Dec{4, 1}, "mg", 1, 5, "min", true, 0, "Spray 0.4 mg under the tongue at the onset of chest pain; may repeat every 5 minutes, up to 3 doses"},
	{"904419", "alendronic acid 10 MG Oral Tablet", Dec{10, 0}, "mg", 1, 1, "d", false, 0, "Take 10 mg by mouth every morning with a full glass of water, 30 minutes before food"},
	{"993452", "1 ML denosumab 60 MG/ML Prefilled Syringe [Prolia]", Dec{60, 0}, "mg", 1, 26, "wk", false, 0, "Inject 60 mg under the skin every 6 months"},
	{"105585", "methotrexate 2.5 MG Oral Tablet", Dec{75, 1}, "mg", 1, 1, "wk", false, 0, "Take 7.5 mg by mouth once weekly"},
	{"979092", "hydroxychloroquine sulfate 200 MG Oral Tablet", Dec{200, 0}, "mg", 2, 1, "d", false, 0, "Take 200 mg by mouth twice daily with food"},
	{"197319", "allopurinol 100 MG Oral Tablet", Dec{100, 0}, "mg", 1, 1, "d", false, 0, "Take 100 mg by mouth once daily"},
	{"197541", "colchicine 0.6 MG Oral Tablet", Dec{6, 1}, "mg", 1, 1, "d", true, 0, "Take 0.6 mg by mouth once daily as needed during a gout flare"},
	{"997223", "donepezil hydrochloride 10 MG Oral Tablet", Dec{10, 0}, "mg", 1, 1, "d", false, 0, "Take 10 mg by mouth at bedtime"},
	{"996740", "memantine hydrochloride 2 MG/ML Oral Solution", Dec{5, 0}, "mL", 2, 1, "d", false, 0, "Take 5 mL (10 mg) by mouth twice daily"},
	{"1014676", "cetirizine hydrochloride 5 MG Oral Tablet", Dec{5, 0}, "mg", 1, 1, "d", false, 0, "Take 5 mg by mouth once daily during allergy season"},
	{"1014678", "cetirizine hydrochloride 10 MG Oral Tablet", Dec{10, 0}, "mg", 1, 1, "d", false, 0, "Take 10 mg by mouth once daily"},
	{"311372", "loratadine 10 MG Oral Tablet", Dec{10, 0}, "mg", 1, 1, "d", false, 0, "Take 10 mg by mouth once daily"},
	{"106258", "hydrocortisone 10 MG/ML Topical Cream", Dec{1, 0}, "{application}", 2, 1, "d", false, 0, "Apply a thin layer to affected skin twice daily for up to 7 days during flares"},
	{"1091392", "methylphenidate hydrochloride 20 MG Oral Tablet", Dec{20, 0}, "mg", 1, 1, "d", false, 0, "Take 20 mg by mouth every morning"},
	{"608139", "atomoxetine 100 MG Oral Capsule", Dec{100, 0}, "mg", 1, 1, "d", false, 0, "Take 100 mg by mouth once daily"},
	{"310325", "ferrous sulfate 325 MG Oral Tablet", Dec{325, 0}, "mg", 1, 1, "d", false, 0, "Take 325 mg by mouth once daily with orange juice"},
	{"204892", "clonazepam 0.25 MG Oral Tablet", Dec{25, 2}, "mg", 2, 1, "d", false, 0, "Take 0.25 mg by mouth twice daily"},
	{"597730", "lopinavir 200 MG / ritonavir 50 MG Oral Tablet", Dec{2, 0}, "{tbl}", 2, 1, "d", false, 0, "Take 2 tablets by mouth twice daily"},
	// Acute treatments
	{"313782", "acetaminophen 325 MG Oral Tablet", Dec{650, 0}, "mg", 1, 6, "h", true, 7, "Take 650 mg by mouth every 6 hours as needed for pain or fever"},
	{"310965", "ibuprofen 200 MG Oral Tablet", Dec{400, 0}, "mg", 1, 8, "h", true, 10, "Take 400 mg by mouth every 8 hours as needed for pain, with food"},
	{"849574", "naproxen sodium 220 MG Oral Tablet", Dec{220, 0}, "mg", 1, 12, "h", true, 10, "Take 220 mg by mouth every 12 hours as needed for pain, with food"},
	{"198014", "naproxen 500 MG Oral Tablet", Dec{500, 0}, "mg", 2, 1, "d", true, 0, "Take 500 mg by mouth twice daily as needed for joint pain, with food"},
	{"1043400", "acetaminophen 21.7 MG/ML / dextromethorphan hydrobromide 1 MG/ML / doxylamine succinate 0.417 MG/ML Oral Solution", Dec{30, 0}, "mL", 1, 6, "h", true, 7, "Take 30 mL by mouth every 6 hours as needed for cough"},
	{"562251", "amoxicillin 250 MG / clavulanate 125 MG Oral Tablet", Dec{1, 0}, "{tbl}", 3, 1, "d", false, 10, "Take 1 tablet by mouth three times daily for 10 days"},
	{"834061", "penicillin V potassium 250 MG Oral Tablet", Dec{250, 0}, "mg", 4, 1, "d", false, 10, "Take 250 mg by mouth four times daily for 10 days"},
	{"308192", "amoxicillin 500 MG Oral Tablet", Dec{500, 0}, "mg", 2, 1, "d", false, 10, "Take 500 mg by mouth twice daily for 10 days"},
	{"308182", "amoxicillin 250 MG Oral Capsule", Dec{250, 0}, "mg", 3, 1, "d", false, 10, "Take 250 mg by mouth three times daily for 10 days"},
	{"311995", "nitrofurantoin macrocrystals 50 MG Oral Capsule", Dec{50, 0}, "mg", 4, 1, "d", false, 7, "Take 50 mg by mouth four times daily for 7 days"},
	{"1094107", "phenazopyridine hydrochloride 100 MG Oral Tablet", Dec{100, 0}, "mg", 3, 1, "d", false, 2, "Take 100 mg by mouth three times daily after meals for 2 days"},
	{"308460", "azithromycin 250 MG Oral Tablet", Dec{250, 0}, "mg", 1, 1, "d", false, 5, "Take 500 mg on day 1, then 250 mg by mouth once daily on days 2 to 5"},
	{"1049221", "acetaminophen 325 MG / oxycodone hydrochloride 5 MG Oral Tablet", Dec{1, 0}, "{tbl}", 1, 6, "h", true, 3, "Take 1 tablet by mouth every 6 hours as needed for severe pain, for up to 3 days"},
	{"1870230", "NDA020800 0.3 ML epinephrine 1 MG/ML Auto-Injector", Dec{3, 1}, "mg", 1, 1, "d", true, 0, "Inject 0.3 mg into the outer thigh at the first sign of anaphylaxis; call 911"},
	{"312615", "prednisone 20 MG Oral Tablet", Dec{40, 0}, "mg", 1, 1, "d", false, 5, "Take 40 mg by mouth once daily for 5 days"},
}

var medicationByCode = func() map[string]*MedicationDef {
	m := make(map[string]*MedicationDef, len(medicationCatalog))
	for i := range medicationCatalog {
		m[medicationCatalog[i].Code] = &medicationCatalog[i]
	}
	return m
}()
