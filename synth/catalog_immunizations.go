package synth

// Routine vaccines (CVX) on the US childhood and adult schedule, as ages in months at which a dose is due.
// A dose whose due date falls inside the record window is given at the first encounter on or after it.

// VaccineDef is one catalog entry.
type VaccineDef struct {
	Code    string // CVX
	Display string
	Months  []int // ages in months at which a dose is due
	Sex     string
}

// seasonalFlu is given once per season (September to March) from 6 months of age.
var seasonalFlu = VaccineDef{Code: "140", Display: "Influenza, seasonal, injectable, preservative free"}

var vaccineCatalog = []VaccineDef{
	{Code: "08", Display: "Hep B, adolescent or pediatric", Months: []int{0, 1, 6}},
	{Code: "116", Display: "rotavirus, pentavalent", Months: []int{2, 4, 6}},
	{Code: "20", Display: "DTaP", Months: []int{2, 4, 6, 15, 48}},
	{Code: "49", Display: "Hib (PRP-OMP)", Months: []int{2, 4, 12}},
	{Code: "133", Display: "Pneumococcal conjugate PCV 13", Months: []int{2, 4, 6, 12}},
	{Code: "10", Display: "IPV", Months: []int{2, 4, 6, 48}},
	{Code: "03", Display: "MMR", Months: []int{12, 48}},
	{Code: "21", Display: "varicella", Months: []int{12, 48}},
	{Code: "83", Display: "Hep A, ped/adol, 2 dose", Months: []int{12, 18}},
	{Code: "115", Display: "Tdap", Months: []int{132}},
	{Code: "62", Display: "HPV, quadrivalent", Months: []int{132, 138}},
	{Code: "114", Display: "meningococcal MCV4P", Months: []int{132, 192}},
	{Code: "113", Display: "Td (adult) preservative free", Months: []int{252, 372, 492, 612, 732, 852, 972, 1092}},
	{Code: "187", Display: "zoster recombinant", Months: []int{600, 602}},
	{Code: "33", Display: "pneumococcal polysaccharide PPV23", Months: []int{780}},
}
