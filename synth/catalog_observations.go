package synth

// Laboratory analytes, panels and vital signs (LOINC, UCUM). Values are integers at a fixed number of
// decimals (Dec), so ranges here are written scaled: creatinine 0.60–1.20 mg/dL at scale 2 is 60–120.

// AnalyteDef is one laboratory test.
type AnalyteDef struct {
	Key     string
	Code    string // LOINC
	Display string
	Unit    string // UCUM
	Scale   int
	RefLow  int64 // -1: no lower limit
	RefHigh int64 // -1: no upper limit
	Normal  [2]int64
	Female  [2]int64 // when set, the healthy range for female patients
}

var analyteCatalog = []AnalyteDef{
	// CBC
	{"wbc", "6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", 1, 45, 110, [2]int64{48, 102}, [2]int64{}},
	{"rbc", "789-8", "Erythrocytes [#/volume] in Blood by Automated count", "10*6/uL", 2, 410, 590, [2]int64{460, 575}, [2]int64{420, 510}},
	{"hgb", "718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 1, 120, 175, [2]int64{138, 170}, [2]int64{122, 152}},
	{"hct", "4544-3", "Hematocrit [Volume Fraction] of Blood by Automated count", "%", 1, 360, 530, [2]int64{410, 500}, [2]int64{365, 455}},
	{"mcv", "787-2", "MCV [Entitic volume] by Automated count", "fL", 1, 800, 1000, [2]int64{820, 980}, [2]int64{}},
	{"mch", "785-6", "MCH [Entitic mass] by Automated count", "pg", 1, 270, 330, [2]int64{275, 325}, [2]int64{}},
	{"mchc", "786-4", "MCHC [Mass/volume] by Automated count", "g/dL", 1, 320, 360, [2]int64{325, 355}, [2]int64{}},
	{"rdw", "788-0", "Erythrocyte distribution width [Ratio] by Automated count", "%", 1, 115, 145, [2]int64{118, 142}, [2]int64{}},
	{"plt", "777-3", "Platelets [#/volume] in Blood by Automated count", "10*3/uL", 0, 150, 450, [2]int64{170, 400}, [2]int64{}},
	// BMP and renal function
	{"glucose", "2339-0", "Glucose [Mass/volume] in Blood", "mg/dL", 0, 70, 99, [2]int64{72, 99}, [2]int64{}},
	{"bun", "6299-2", "Urea nitrogen [Mass/volume] in Blood", "mg/dL", 0, 7, 20, [2]int64{8, 20}, [2]int64{}},
	{"creatinine", "38483-4", "Creatinine [Mass/volume] in Blood", "mg/dL", 2, 60, 120, [2]int64{68, 115}, [2]int64{}},
	{"calcium", "49765-1", "Calcium [Mass/volume] in Blood", "mg/dL", 1, 86, 103, [2]int64{88, 101}, [2]int64{}},
	{"sodium", "2947-0", "Sodium [Moles/volume] in Blood", "mmol/L", 0, 136, 145, [2]int64{137, 144}, [2]int64{}},
	{"potassium", "6298-4", "Potassium [Moles/volume] in Blood", "mmol/L", 1, 35, 51, [2]int64{36, 50}, [2]int64{}},
	{"chloride", "2069-3", "Chloride [Moles/volume] in Blood", "mmol/L", 0, 98, 107, [2]int64{99, 106}, [2]int64{}},
	{"co2", "20565-8", "Carbon dioxide, total [Moles/volume] in Blood", "mmol/L", 0, 22, 29, [2]int64{23, 29}, [2]int64{}},
	{"egfr", "33914-3", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum or Plasma by Creatinine-based formula (MDRD)", "mL/min/{1.73_m2}", 0, 60, -1, [2]int64{75, 118}, [2]int64{}},
	// Lipids
	{"cholesterol", "2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL", 0, -1, 200, [2]int64{140, 199}, [2]int64{}},
	{"triglycerides", "2571-8", "Triglyceride [Mass/volume] in Serum or Plasma", "mg/dL", 0, -1, 150, [2]int64{60, 149}, [2]int64{}},
	{"ldl", "18262-6", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay", "mg/dL", 0, -1, 100, [2]int64{60, 99}, [2]int64{}},
	{"hdl", "2085-9", "Cholesterol in HDL [Mass/volume] in Serum or Plasma", "mg/dL", 0, 40, -1, [2]int64{42, 80}, [2]int64{}},
	// Diabetes
	{"hba1c", "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", 1, 40, 56, [2]int64{45, 56}, [2]int64{}},
	{"uacr", "14959-1", "Microalbumin/Creatinine [Mass Ratio] in Urine", "mg/g", 0, -1, 30, [2]int64{3, 25}, [2]int64{}},
	{"glucometer", "41653-7", "Glucose [Mass/volume] in Capillary blood by Glucometer", "mg/dL", 0, 70, 99, [2]int64{75, 99}, [2]int64{}},
	// Liver
	{"alt", "1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 0, 7, 56, [2]int64{10, 45}, [2]int64{}},
	{"ast", "1920-8", "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 0, 10, 40, [2]int64{12, 38}, [2]int64{}},
	{"alp", "6768-6", "Alkaline phosphatase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 0, 44, 147, [2]int64{50, 130}, [2]int64{}},
	{"bilirubin", "1975-2", "Bilirubin.total [Mass/volume] in Serum or Plasma", "mg/dL", 1, 1, 12, [2]int64{2, 11}, [2]int64{}},
	{"albumin", "1751-7", "Albumin [Mass/volume] in Serum or Plasma", "g/dL", 1, 35, 50, [2]int64{36, 49}, [2]int64{}},
	{"protein", "2885-2", "Protein [Mass/volume] in Serum or Plasma", "g/dL", 1, 60, 83, [2]int64{62, 80}, [2]int64{}},
	// Others
	{"tsh", "3016-3", "Thyrotropin [Units/volume] in Serum or Plasma", "m[IU]/L", 2, 40, 400, [2]int64{50, 380}, [2]int64{}},
	{"ntprobnp", "33762-6", "Natriuretic peptide.B prohormone N-Terminal [Mass/volume] in Serum or Plasma", "pg/mL", 0, -1, 125, [2]int64{20, 110}, [2]int64{}},
	{"hivvl", "20447-9", "HIV 1 RNA [#/volume] (viral load) in Serum or Plasma by NAA with probe detection", "{copies}/mL", 0, -1, 20, [2]int64{0, 19}, [2]int64{}},
}

var analyteByKey = func() map[string]*AnalyteDef {
	m := make(map[string]*AnalyteDef, len(analyteCatalog))
	for i := range analyteCatalog {
		m[analyteCatalog[i].Key] = &analyteCatalog[i]
	}
	return m
}()

// PanelDef is a laboratory order reported as one DiagnosticReport.
type PanelDef struct {
	Key      string
	Code     string // LOINC
	Display  string
	Analytes []string
}

var panelCatalog = []PanelDef{
	{"cbc", "58410-2", "CBC panel - Blood by Automated count", []string{"wbc", "rbc", "hgb", "hct", "mcv", "mch", "mchc", "rdw", "plt"}},
	{"bmp", "51990-0", "Basic metabolic panel - Blood", []string{"glucose", "bun", "creatinine", "calcium", "sodium", "potassium", "chloride", "co2", "egfr"}},
	{"lipid", "57698-3", "Lipid panel with direct LDL - Serum or Plasma", []string{"cholesterol", "triglycerides", "ldl", "hdl"}},
	{"hba1c", "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", []string{"hba1c"}},
	{"hepatic", "24325-3", "Hepatic function 2000 panel - Serum or Plasma", []string{"alt", "ast", "alp", "bilirubin", "albumin", "protein"}},
	{"tsh", "3016-3", "Thyrotropin [Units/volume] in Serum or Plasma", []string{"tsh"}},
	{"uacr", "14959-1", "Microalbumin/Creatinine [Mass Ratio] in Urine", []string{"uacr"}},
	{"ntprobnp", "33762-6", "Natriuretic peptide.B prohormone N-Terminal [Mass/volume] in Serum or Plasma", []string{"ntprobnp"}},
	{"hivvl", "20447-9", "HIV 1 RNA [#/volume] (viral load) in Serum or Plasma by NAA with probe detection", []string{"hivvl"}},
}

var panelByKey = func() map[string]*PanelDef {
	m := make(map[string]*PanelDef, len(panelCatalog))
	for i := range panelCatalog {
		m[panelCatalog[i].Key] = &panelCatalog[i]
	}
	return m
}()

// labEffect replaces an analyte's healthy range for a patient with the condition.
type labEffect struct {
	Analyte string
	Range   [2]int64
}

// conditionLabEffects are the coherence rules: a chronic condition moves the values it would move, and the
// panels that monitor it are always ordered.
var conditionLabEffects = map[string][]labEffect{
	condDiabetes:       {{"hba1c", [2]int64{66, 105}}, {"glucose", [2]int64{130, 260}}, {"glucometer", [2]int64{110, 240}}, {"uacr", [2]int64{32, 180}}},
	condPrediabetes:    {{"hba1c", [2]int64{57, 64}}, {"glucose", [2]int64{100, 125}}},
	condHyperlipidemia: {{"ldl", [2]int64{160, 230}}, {"cholesterol", [2]int64{240, 310}}, {"triglycerides", [2]int64{160, 340}}, {"hdl", [2]int64{30, 45}}},
	condCKD:            {{"creatinine", [2]int64{160, 290}}, {"egfr", [2]int64{30, 59}}, {"bun", [2]int64{24, 48}}, {"uacr", [2]int64{35, 250}}},
	condHypothyroid:    {{"tsh", [2]int64{450, 1100}}},
	condHeartFailure:   {{"ntprobnp", [2]int64{450, 3200}}},
	condAnemia:         {{"hgb", [2]int64{88, 114}}, {"hct", [2]int64{270, 345}}, {"mcv", [2]int64{680, 790}}},
	condHIV:            {{"hivvl", [2]int64{40, 4800}}},
	"alcoholism":       {{"alt", [2]int64{60, 140}}, {"ast", [2]int64{70, 180}}},
}

// conditionPanels are ordered at least once for a patient with the condition.
var conditionPanels = map[string][]string{
	condDiabetes:           {"hba1c", "uacr"},
	condPrediabetes:        {"hba1c"},
	condHyperlipidemia:     {"lipid"},
	condCKD:                {"bmp"},
	condHypothyroid:        {"tsh"},
	condHeartFailure:       {"ntprobnp"},
	condAnemia:             {"cbc"},
	condHIV:                {"hivvl"},
	"alcoholism":           {"hepatic"},
	"rheumatoid-arthritis": {"hepatic"},
}

// VitalDef is one vital sign or social-history observation the generator writes.
type VitalDef struct {
	Code    string // LOINC
	Display string
	Unit    string // UCUM; "" when the value is coded or in components
	Profile string
	MinAge  int // months, inclusive
	MaxAge  int // months, exclusive; 0 = no limit
}

const (
	loincBP          = "85354-9"
	loincSystolic    = "8480-6"
	loincDiastolic   = "8462-4"
	loincHeartRate   = "8867-4"
	loincRespRate    = "9279-1"
	loincTemperature = "8310-5"
	loincSpO2        = "59408-5"
	loincSpO2Art     = "2708-6"
	loincHeight      = "8302-2"
	loincWeight      = "29463-7"
	loincBMI         = "39156-5"
	loincHeadCirc    = "9843-4"
	loincHeadPct     = "8289-1"
	loincWeightLen   = "77606-2"
	loincBMIPct      = "59576-9"
	loincSmoking     = "72166-2"
)

var vitalCatalog = []VitalDef{
	{loincBP, "Blood pressure panel with all children optional", "", usCore + "us-core-blood-pressure", 36, 0},
	{loincSystolic, "Systolic blood pressure", "mm[Hg]", "", 36, 0},
	{loincDiastolic, "Diastolic blood pressure", "mm[Hg]", "", 36, 0},
	{loincHeartRate, "Heart rate", "/min", usCore + "us-core-heart-rate", 0, 0},
	{loincRespRate, "Respiratory rate", "/min", usCore + "us-core-respiratory-rate", 0, 0},
	{loincTemperature, "Body temperature", "Cel", usCore + "us-core-body-temperature", 0, 0},
	{loincSpO2, "Oxygen saturation in Arterial blood by Pulse oximetry", "%", ProfilePulseOximetry, 0, 0},
	{loincSpO2Art, "Oxygen saturation in Arterial blood", "%", "", 0, 0},
	{loincHeight, "Body height", "cm", usCore + "us-core-body-height", 0, 0},
	{loincWeight, "Body weight", "kg", usCore + "us-core-body-weight", 0, 0},
	{loincBMI, "Body mass index (BMI) [Ratio]", "kg/m2", usCore + "us-core-bmi", 24, 0},
	{loincHeadCirc, "Head Occipital-frontal circumference", "cm", usCore + "us-core-head-circumference", 0, 36},
	{loincHeadPct, "Head Occipital-frontal circumference Percentile", "%", "http://hl7.org/fhir/us/core/StructureDefinition/head-occipital-frontal-circumference-percentile", 0, 36},
	{loincWeightLen, "Weight-for-length Per age and sex", "%", "http://hl7.org/fhir/us/core/StructureDefinition/pediatric-weight-for-height", 0, 36},
	{loincBMIPct, "Body mass index (BMI) [Percentile] Per age and sex", "%", "http://hl7.org/fhir/us/core/StructureDefinition/pediatric-bmi-for-age", 24, 240},
	{loincSmoking, "Tobacco smoking status", "", ProfileSmokingStatus, 156, 0},
}

var vitalByCode = func() map[string]*VitalDef {
	m := make(map[string]*VitalDef, len(vitalCatalog))
	for i := range vitalCatalog {
		m[vitalCatalog[i].Code] = &vitalCatalog[i]
	}
	return m
}()

// Smoking status answers (US Core Smoking Status value set, SNOMED CT).
var smokingStatuses = []Coding{
	{System: SystemSNOMED, Code: "266919005", Display: "Never smoked tobacco (finding)"},
	{System: SystemSNOMED, Code: "8517006", Display: "Ex-smoker (finding)"},
	{System: SystemSNOMED, Code: "449868002", Display: "Smokes tobacco daily (finding)"},
	{System: SystemSNOMED, Code: "428041000124106", Display: "Occasional tobacco smoker (finding)"},
}
