package synth

// The condition catalog (SNOMED CT). A chronic condition is chosen at birth of the synthetic patient
// (with an onset before the record window), drives the patient's measured values (see effects in
// catalog_observations.go) and is treated by the first medication of Meds; an acute condition is the
// diagnosis of one "encounter for symptom" and resolves within days.

// ConditionDef is one catalog entry.
type ConditionDef struct {
	Key     string // stable short name used in code and tests
	Code    string // SNOMED CT
	Display string
	Chronic bool
	MinAge  int    // years
	MaxAge  int    // years; 0 means no upper bound
	Sex     string // "" any, else "male" or "female"
	PerMil  int    // chance per 1,000 eligible patients (chronic); weight (acute)
	Boost60 bool   // chance doubles from age 60
	Meds    []string
	Febrile bool   // fever at the diagnosing encounter
	Hypoxic bool   // low SpO2 at the diagnosing encounter
	Injury  bool   // seen in the emergency department
	Plan    string // care plan narrative (chronic)
	Persona bool   // only used by personas, never drawn at random
	Label   string // v3-ActCode sensitivity label when the condition is sensitive data
}

// Condition keys whose effects the generator and the coherence tests rely on.
const (
	condHypertension   = "hypertension"
	condDiabetes       = "diabetes"
	condPrediabetes    = "prediabetes"
	condHyperlipidemia = "hyperlipidemia"
	condCKD            = "ckd"
	condAsthma         = "asthma"
	condObesity        = "obesity"
	condCOPD           = "copd"
	condHeartFailure   = "heart-failure"
	condHypothyroid    = "hypothyroidism"
	condAnemia         = "anemia"
	condHIV            = "hiv"
)

var conditionCatalog = []ConditionDef{
	// Chronic
	{Key: condHypertension, Code: "59621000", Display: "Essential hypertension (disorder)", Chronic: true, MinAge: 25, PerMil: 220, Boost60: true,
		Meds: []string{"314076", "197361", "310798"}, Plan: "Home blood pressure monitoring, low-sodium diet, antihypertensive therapy; review every 3 months."},
	{Key: condDiabetes, Code: "44054006", Display: "Diabetes mellitus type 2 (disorder)", Chronic: true, MinAge: 30, PerMil: 110, Boost60: true,
		Meds: []string{"860975", "1373463"}, Plan: "Metformin, diabetes self-management education, HbA1c every 3 to 6 months, annual eye and foot examination."},
	{Key: condPrediabetes, Code: "15777000", Display: "Prediabetes (finding)", Chronic: true, MinAge: 30, PerMil: 80,
		Plan: "Lifestyle modification: 150 minutes of exercise a week, weight loss of 5 to 7 percent; HbA1c yearly."},
	{Key: condHyperlipidemia, Code: "55822004", Display: "Hyperlipidemia (disorder)", Chronic: true, MinAge: 30, PerMil: 180, Boost60: true,
		Meds: []string{"314231", "312961", "259255"}, Plan: "Statin therapy, heart-healthy diet; lipid panel in 6 to 12 weeks, then yearly."},
	{Key: condCKD, Code: "433144002", Display: "Chronic kidney disease stage 3 (disorder)", Chronic: true, MinAge: 45, PerMil: 60, Boost60: true,
		Meds: []string{"979485"}, Plan: "Blood pressure control with an angiotensin receptor blocker, avoid NSAIDs, creatinine and eGFR every 6 months."},
	{Key: condAsthma, Code: "195967001", Display: "Asthma (disorder)", Chronic: true, MinAge: 3, PerMil: 80,
		Meds: []string{"745679", "895994"}, Plan: "Asthma action plan: rescue inhaler as needed, inhaled corticosteroid daily, trigger avoidance."},
	{Key: condObesity, Code: "162864005", Display: "Body mass index 30+ - obesity (finding)", Chronic: true, MinAge: 18, PerMil: 200,
		Plan: "Weight management: dietary counselling, physical activity plan, weight and BMI at every visit."},
	{Key: condCOPD, Code: "13645005", Display: "Chronic obstructive lung disease (disorder)", Chronic: true, MinAge: 45, PerMil: 40, Boost60: true,
		Meds: []string{"896209", "245314"}, Plan: "Smoking cessation, maintenance inhaler, pulmonary rehabilitation, yearly influenza vaccination."},
	{Key: "atrial-fibrillation", Code: "49436004", Display: "Atrial fibrillation (disorder)", Chronic: true, MinAge: 55, PerMil: 35, Boost60: true,
		Meds: []string{"855332", "197604", "897718"}, Plan: "Anticoagulation with INR monitoring, rate control, ECG yearly."},
	{Key: "coronary-disease", Code: "53741008", Display: "Coronary arteriosclerosis (disorder)", Chronic: true, MinAge: 50, PerMil: 45, Boost60: true,
		Meds: []string{"243670", "309362", "705129"}, Plan: "Antiplatelet therapy, statin, risk factor control, cardiac rehabilitation."},
	{Key: condHeartFailure, Code: "88805009", Display: "Chronic congestive heart failure (disorder)", Chronic: true, MinAge: 55, PerMil: 25, Boost60: true,
		Meds: []string{"313988", "866414"}, Plan: "Diuretic and beta blocker, daily weights, fluid and sodium restriction."},
	{Key: condHypothyroid, Code: "40930008", Display: "Hypothyroidism (disorder)", Chronic: true, MinAge: 20, PerMil: 50,
		Meds: []string{"966222"}, Plan: "Levothyroxine replacement; TSH 6 to 8 weeks after each dose change, then yearly."},
	{Key: "depression", Code: "35489007", Display: "Depressive disorder (disorder)", Chronic: true, MinAge: 12, PerMil: 70,
		Meds: []string{"312938"}, Plan: "Antidepressant therapy, psychotherapy referral, PHQ-9 at each visit."},
	{Key: "anxiety", Code: "197480006", Display: "Anxiety disorder (disorder)", Chronic: true, MinAge: 12, PerMil: 60,
		Meds: []string{"310385"}, Plan: "Cognitive behavioural therapy and an SSRI; follow-up in 4 to 6 weeks."},
	{Key: "osteoarthritis", Code: "239873007", Display: "Osteoarthritis of knee (disorder)", Chronic: true, MinAge: 45, PerMil: 100, Boost60: true,
		Meds: []string{"198014", "849574"}, Plan: "Exercise therapy, weight management, NSAID as needed for pain."},
	{Key: "osteoporosis", Code: "64859006", Display: "Osteoporosis (disorder)", Chronic: true, MinAge: 55, Sex: "female", PerMil: 100, Boost60: true,
		Meds: []string{"904419", "993452"}, Plan: "Bisphosphonate therapy, calcium and vitamin D, fall prevention, bone density scan every 2 years."},
	{Key: "rheumatoid-arthritis", Code: "69896004", Display: "Rheumatoid arthritis (disorder)", Chronic: true, MinAge: 25, PerMil: 12,
		Meds: []string{"105585", "979092"}, Plan: "Disease-modifying therapy with methotrexate; liver function and blood count every 3 months."},
	{Key: "gout", Code: "90560007", Display: "Gout (disorder)", Chronic: true, MinAge: 35, Sex: "male", PerMil: 30,
		Meds: []string{"197319", "197541"}, Plan: "Urate-lowering therapy, colchicine for flares, limit alcohol and purine-rich food."},
	{Key: "alzheimers", Code: "26929004", Display: "Alzheimer's disease (disorder)", Chronic: true, MinAge: 70, PerMil: 60,
		Meds: []string{"997223", "996740"}, Plan: "Cholinesterase inhibitor, caregiver support, home safety assessment, advance care planning."},
	{Key: "allergic-rhinitis", Code: "61582004", Display: "Allergic rhinitis (disorder)", Chronic: true, MinAge: 2, PerMil: 120,
		Meds: []string{"1014676", "311372"}, Plan: "Allergen avoidance and a daily non-sedating antihistamine during the season."},
	{Key: "atopic-dermatitis", Code: "24079001", Display: "Atopic dermatitis (disorder)", Chronic: true, MinAge: 0, MaxAge: 17, PerMil: 100,
		Meds: []string{"106258"}, Plan: "Daily emollients, topical corticosteroid for flares, avoid irritants."},
	{Key: "adhd", Code: "406506008", Display: "Attention deficit hyperactivity disorder (disorder)", Chronic: true, MinAge: 6, MaxAge: 30, PerMil: 60,
		Meds: []string{"1091392", "608139"}, Plan: "Stimulant therapy, school accommodations, behavioural therapy; height and weight at each visit."},
	{Key: condAnemia, Code: "271737000", Display: "Anemia (disorder)", Chronic: true, MinAge: 1, PerMil: 40,
		Meds: []string{"310325"}, Plan: "Oral iron supplementation; complete blood count in 3 months."},
	{Key: "gerd", Code: "235595009", Display: "Gastroesophageal reflux disease (disorder)", Chronic: true, MinAge: 18, PerMil: 80,
		Plan: "Avoid late meals, raise the head of the bed, weight loss; review symptoms in 8 weeks."},
	{Key: "migraine", Code: "37796009", Display: "Migraine (disorder)", Chronic: true, MinAge: 12, PerMil: 50,
		Meds: []string{"310965"}, Plan: "Headache diary, trigger avoidance, NSAID at onset of attacks."},
	{Key: "epilepsy", Code: "84757009", Display: "Epilepsy (disorder)", Chronic: true, MinAge: 2, PerMil: 10,
		Meds: []string{"204892"}, Plan: "Antiseizure medication, seizure first-aid plan, driving restrictions discussed."},
	{Key: "sleep-apnea", Code: "78275009", Display: "Obstructive sleep apnea syndrome (disorder)", Chronic: true, MinAge: 30, PerMil: 40,
		Plan: "CPAP therapy nightly, weight loss, avoid sedatives and alcohol."},
	{Key: "chronic-sinusitis", Code: "40055000", Display: "Chronic sinusitis (disorder)", Chronic: true, MinAge: 18, PerMil: 40,
		Meds: []string{"1014678"}, Plan: "Saline irrigation, antihistamine, ENT referral if symptoms persist."},
	{Key: condHIV, Code: "86406008", Display: "Human immunodeficiency virus infection (disorder)", Chronic: true, MinAge: 18, Persona: true,
		Meds: []string{"597730"}, Plan: "Antiretroviral therapy, viral load every 3 to 6 months, partner notification.", Label: "HIV"},
	{Key: "alcoholism", Code: "7200002", Display: "Alcoholism (disorder)", Chronic: true, MinAge: 18, Persona: true,
		Plan: "Referral to substance use treatment programme, liver function monitoring.", Label: "ETH"},

	// Acute (encounter diagnoses)
	{Key: "acute-bronchitis", Code: "10509002", Display: "Acute bronchitis (disorder)", MinAge: 1, PerMil: 10, Febrile: true, Meds: []string{"1043400", "313782"}},
	{Key: "viral-sinusitis", Code: "444814009", Display: "Viral sinusitis (disorder)", MinAge: 2, PerMil: 12, Meds: []string{"313782"}},
	{Key: "bacterial-sinusitis", Code: "75498004", Display: "Acute bacterial sinusitis (disorder)", MinAge: 5, PerMil: 5, Febrile: true, Meds: []string{"562251"}},
	{Key: "viral-pharyngitis", Code: "195662009", Display: "Acute viral pharyngitis (disorder)", MinAge: 2, PerMil: 12, Febrile: true, Meds: []string{"313782"}},
	{Key: "strep-throat", Code: "43878008", Display: "Streptococcal sore throat (disorder)", MinAge: 3, PerMil: 6, Febrile: true, Meds: []string{"834061", "308192"}},
	{Key: "otitis-media", Code: "65363002", Display: "Otitis media (disorder)", MinAge: 0, MaxAge: 12, PerMil: 15, Febrile: true, Meds: []string{"308182"}},
	{Key: "uti", Code: "68566005", Display: "Urinary tract infectious disease (disorder)", MinAge: 5, PerMil: 8, Meds: []string{"311995", "1094107"}},
	{Key: "ankle-sprain", Code: "44465007", Display: "Sprain of ankle (disorder)", MinAge: 5, PerMil: 6, Injury: true, Meds: []string{"310965"}},
	{Key: "wrist-sprain", Code: "70704007", Display: "Sprain of wrist (disorder)", MinAge: 5, PerMil: 4, Injury: true, Meds: []string{"849574"}},
	{Key: "pneumonia", Code: "233604007", Display: "Pneumonia (disorder)", MinAge: 1, PerMil: 4, Febrile: true, Hypoxic: true, Meds: []string{"308460"}},
	{Key: "influenza", Code: "6142004", Display: "Influenza (disorder)", MinAge: 1, PerMil: 6, Febrile: true, Meds: []string{"313782"}},
	{Key: "covid-19", Code: "840539006", Display: "Disease caused by severe acute respiratory syndrome coronavirus 2 (disorder)", MinAge: 1, PerMil: 5, Febrile: true, Hypoxic: true, Meds: []string{"313782"}},
	{Key: "forearm-fracture", Code: "65966004", Display: "Fracture of forearm (disorder)", MinAge: 16, PerMil: 2, Injury: true, Meds: []string{"1049221"}},
	{Key: "laceration", Code: "283371005", Display: "Laceration of forearm (disorder)", MinAge: 3, PerMil: 3, Injury: true, Meds: []string{"313782"}},
	{Key: "concussion", Code: "62106007", Display: "Concussion with no loss of consciousness (disorder)", MinAge: 3, PerMil: 2, Injury: true, Meds: []string{"313782"}},
	{Key: "low-back-pain", Code: "279039007", Display: "Low back pain (finding)", MinAge: 18, PerMil: 8, Meds: []string{"849574"}},
}

var conditionByKey = func() map[string]*ConditionDef {
	m := make(map[string]*ConditionDef, len(conditionCatalog))
	for i := range conditionCatalog {
		m[conditionCatalog[i].Key] = &conditionCatalog[i]
	}
	return m
}()

func eligible(c *ConditionDef, ageYears int, gender string) bool {
	if c.Persona || ageYears < c.MinAge || (c.MaxAge > 0 && ageYears > c.MaxAge) {
		return false
	}
	return c.Sex == "" || c.Sex == gender
}
