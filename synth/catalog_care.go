package synth

// Allergies, reactions, procedures and encounter types (SNOMED CT).

// AllergyDef is one allergy catalog entry.
type AllergyDef struct {
	Code      string
	Display   string
	Category  string // food | medication | environment | biologic
	Critical  bool
	Reactions []int // indexes into reactionCatalog
}

var allergyCatalog = []AllergyDef{
	{"91936005", "Allergy to penicillin (finding)", "medication", true, []int{0, 1, 2}},
	{"91935009", "Allergy to peanuts (finding)", "food", true, []int{2, 1, 3}},
	{"300913006", "Shellfish allergy (finding)", "food", true, []int{1, 4, 2}},
	{"91930004", "Allergy to eggs (finding)", "food", false, []int{0, 4}},
	{"425525006", "Allergy to dairy product (finding)", "food", false, []int{4, 0}},
	{"417532002", "Allergy to fish (finding)", "food", false, []int{1, 4}},
	{"91934008", "Allergy to nut (finding)", "food", true, []int{2, 1}},
	{"418689008", "Allergy to grass pollen (finding)", "environment", false, []int{5, 6}},
	{"419263009", "Allergy to tree pollen (finding)", "environment", false, []int{5, 6}},
	{"232350006", "House dust mite allergy (finding)", "environment", false, []int{5, 7}},
	{"232347008", "Dander (animal) allergy (finding)", "environment", false, []int{5, 3, 7}},
	{"419474003", "Allergy to mould (finding)", "environment", false, []int{6, 7}},
	{"300916003", "Latex allergy (finding)", "environment", false, []int{0, 8}},
}

var reactionCatalog = []Coding{
	{System: SystemSNOMED, Code: "271807003", Display: "Eruption of skin (disorder)"},
	{System: SystemSNOMED, Code: "247472004", Display: "Wheal (finding)"},
	{System: SystemSNOMED, Code: "39579001", Display: "Anaphylaxis (disorder)"},
	{System: SystemSNOMED, Code: "267036007", Display: "Dyspnea (finding)"},
	{System: SystemSNOMED, Code: "422587007", Display: "Nausea (finding)"},
	{System: SystemSNOMED, Code: "878820003", Display: "Rhinoconjunctivitis (disorder)"},
	{System: SystemSNOMED, Code: "76067001", Display: "Sneezing (finding)"},
	{System: SystemSNOMED, Code: "49727002", Display: "Cough (finding)"},
	{System: SystemSNOMED, Code: "418290006", Display: "Itching of skin (finding)"},
}

// noKnownAllergy is the assertion of no known allergies (US Core AllergyIntolerance guidance).
var noKnownAllergy = Coding{System: SystemSNOMED, Code: "716186003", Display: "No known allergy (situation)"}

// ProcedureDef is one procedure catalog entry; When names the context in which it is done.
type ProcedureDef struct {
	Code    string
	Display string
	When    string // wellness | condition key | injury | age rules applied in procedures.go
}

var procedureCatalog = []ProcedureDef{
	{"430193006", "Medication Reconciliation (procedure)", "wellness"},
	{"710824005", "Assessment of health and social care needs (procedure)", "wellness"},
	{"171207006", "Depression screening (procedure)", "screen-12"},
	{"73761001", "Colonoscopy (procedure)", "screen-45"},
	{"71651007", "Mammography (procedure)", "screen-female-40"},
	{"117015009", "Throat culture (procedure)", "strep-throat"},
	{"127783003", "Spirometry (procedure)", "asthma"},
	{"23426006", "Measurement of respiratory function (procedure)", "copd"},
	{"29303009", "Electrocardiographic procedure (procedure)", "atrial-fibrillation"},
	{"399208008", "Plain chest X-ray (procedure)", "pneumonia"},
	{"288086009", "Suture open wound (procedure)", "laceration"},
	{"180256009", "Subcutaneous immunotherapy (procedure)", "allergic-rhinitis"},
	{"76601001", "Intramuscular injection (procedure)", "osteoporosis"},
}

// Encounter types. Class codes come from v3-ActCode.
type encounterKind struct {
	Class, ClassDisplay string
	Type                Coding
	Minutes             int
}

var (
	encWellAdult = encounterKind{"AMB", "ambulatory", Coding{SystemSNOMED, "", "162673000", "General examination of patient (procedure)"}, 30}
	encWellChild = encounterKind{"AMB", "ambulatory", Coding{SystemSNOMED, "", "410620009", "Well child visit (procedure)"}, 30}
	encSymptom   = encounterKind{"AMB", "ambulatory", Coding{SystemSNOMED, "", "185345009", "Encounter for symptom (procedure)"}, 20}
	encFollowUp  = encounterKind{"AMB", "ambulatory", Coding{SystemSNOMED, "", "390906007", "Follow-up encounter (procedure)"}, 20}
	encEmergency = encounterKind{"EMER", "emergency", Coding{SystemSNOMED, "", "50849002", "Emergency room admission (procedure)"}, 180}
	encBirth     = encounterKind{"IMP", "inpatient encounter", Coding{SystemSNOMED, "", "32485007", "Hospital admission (procedure)"}, 2880}
)

// checkUpReason is the reason code of wellness visits.
var checkUpReason = Coding{System: SystemSNOMED, Code: "185349003", Display: "Encounter for check up (procedure)"}
