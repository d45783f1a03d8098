package synth

// Demographic vocabularies: OMB race and ethnicity categories, languages, marital status, and gendered
// given names (gofakeit's first names are not gendered; family names and addresses come from gofakeit).

type weighted struct {
	Coding Coding
	Weight int
}

var raceCategories = []weighted{
	{Coding{SystemOMB, "", "2106-3", "White"}, 60},
	{Coding{SystemOMB, "", "2054-5", "Black or African American"}, 13},
	{Coding{SystemOMB, "", "2028-9", "Asian"}, 6},
	{Coding{SystemOMB, "", "1002-5", "American Indian or Alaska Native"}, 2},
	{Coding{SystemOMB, "", "2076-8", "Native Hawaiian or Other Pacific Islander"}, 1},
	{Coding{SystemOMB, "", "2131-1", "Other Race"}, 8},
}

var (
	ethnicityHispanic    = Coding{SystemOMB, "", "2135-2", "Hispanic or Latino"}
	ethnicityNotHispanic = Coding{SystemOMB, "", "2186-5", "Not Hispanic or Latino"}
)

var languages = []weighted{
	{Coding{SystemBCP47, "", "en-US", "English (United States)"}, 80},
	{Coding{SystemBCP47, "", "es", "Spanish"}, 12},
	{Coding{SystemBCP47, "", "zh", "Chinese"}, 2},
	{Coding{SystemBCP47, "", "vi", "Vietnamese"}, 2},
	{Coding{SystemBCP47, "", "fr", "French"}, 1},
	{Coding{SystemBCP47, "", "ar", "Arabic"}, 1},
	{Coding{SystemBCP47, "", "ko", "Korean"}, 1},
	{Coding{SystemBCP47, "", "ru", "Russian"}, 1},
}

var maritalStatuses = []weighted{
	{Coding{SystemMaritalStatus, "", "M", "Married"}, 50},
	{Coding{SystemMaritalStatus, "", "S", "Never Married"}, 30},
	{Coding{SystemMaritalStatus, "", "D", "Divorced"}, 12},
	{Coding{SystemMaritalStatus, "", "W", "Widowed"}, 8},
}

var genderIdentityNonBinary = Coding{System: SystemSNOMED, Code: "33791000087105", Display: "Identifies as nonbinary gender (finding)"}

var femaleNames = []string{
	"Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen",
	"Lisa", "Nancy", "Betty", "Margaret", "Sandra", "Ashley", "Kimberly", "Emily", "Donna", "Michelle",
	"Carol", "Amanda", "Melissa", "Deborah", "Stephanie", "Rebecca", "Sharon", "Laura", "Cynthia", "Amy",
	"Kathleen", "Angela", "Shirley", "Emma", "Brenda", "Pamela", "Nicole", "Anna", "Samantha", "Katherine",
	"Christine", "Debra", "Rachel", "Carolyn", "Janet", "Maria", "Olivia", "Heather", "Helen", "Catherine",
	"Sophia", "Isabella", "Mia", "Ava", "Camila", "Lucia", "Aaliyah", "Mei", "Priya", "Fatima",
}

var maleNames = []string{
	"James", "Robert", "John", "Michael", "David", "William", "Richard", "Joseph", "Thomas", "Christopher",
	"Charles", "Daniel", "Matthew", "Anthony", "Mark", "Donald", "Steven", "Andrew", "Paul", "Joshua",
	"Kenneth", "Kevin", "Brian", "George", "Timothy", "Ronald", "Jason", "Edward", "Jeffrey", "Ryan",
	"Jacob", "Gary", "Nicholas", "Eric", "Jonathan", "Stephen", "Larry", "Justin", "Scott", "Brandon",
	"Benjamin", "Samuel", "Gregory", "Alexander", "Patrick", "Frank", "Raymond", "Jack", "Dennis", "Jerry",
	"Liam", "Noah", "Ethan", "Mateo", "Santiago", "Diego", "Wei", "Arjun", "Omar", "Kwame",
}

// nicknames for the "nickname" HumanName that US Core asks systems to support.
var nicknames = map[string]string{
	"Robert": "Bob", "William": "Bill", "Richard": "Rick", "Joseph": "Joe", "Thomas": "Tom", "Christopher": "Chris",
	"Charles": "Charlie", "Daniel": "Dan", "Matthew": "Matt", "Anthony": "Tony", "Michael": "Mike", "James": "Jim",
	"Steven": "Steve", "Andrew": "Andy", "Kenneth": "Ken", "Timothy": "Tim", "Edward": "Ed", "Jeffrey": "Jeff",
	"Nicholas": "Nick", "Jonathan": "Jon", "Benjamin": "Ben", "Samuel": "Sam", "Alexander": "Alex", "Patrick": "Pat",
	"Elizabeth": "Liz", "Patricia": "Patty", "Jennifer": "Jen", "Margaret": "Peggy", "Kimberly": "Kim", "Deborah": "Debbie",
	"Stephanie": "Steph", "Rebecca": "Becky", "Katherine": "Kate", "Christine": "Chris", "Samantha": "Sam", "Catherine": "Cathy",
}
