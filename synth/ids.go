package synth

import (
	"math/rand/v2"
	"strconv"

	"github.com/brianvoe/gofakeit/v7"
)

// Identifiers and random sources.
//
// Resource ids are "<tag>-<record>-<seq>": tag is 6 base-36 characters derived from the seed (so two
// populations with different seeds never collide), record is "p" and the zero-padded patient index or
// the persona name, seq counts the record's resources in generation order. Within a population ids
// therefore sort in the order they are generated, which keeps B-tree inserts appending. The patient's own
// id is the record prefix. All ids match FHIR's [A-Za-z0-9\-\.]{1,64}.

// splitmix64 is a fast, well-mixed 64-bit hash (Steele et al.); it derives independent seeds.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// populationTag is the id prefix of every resource generated with seed.
func populationTag(seed int64) string {
	const n = 36 * 36 * 36 * 36 * 36 * 36
	s := strconv.FormatUint(splitmix64(uint64(seed))%n, 36)
	for len(s) < 6 {
		s = "0" + s
	}
	return s
}

// sources returns the random source and the faker of one record; each record has its own, derived only
// from the population seed and the record's name, so records can be built in any order or in parallel.
func sources(seed int64, record string) (*rand.Rand, *gofakeit.Faker) {
	s := splitmix64(uint64(seed) ^ splitmix64(fnv64(record)))
	rng := rand.New(rand.NewPCG(s, splitmix64(s)))
	fs := splitmix64(s ^ 0x5bd1e995)
	if fs == 0 { // gofakeit.New(0) seeds from crypto/rand
		fs = 1
	}
	return rng, gofakeit.New(fs)
}

func patientKey(tag string, index int) string {
	s := strconv.Itoa(index)
	for len(s) < 6 {
		s = "0" + s
	}
	return tag + "-p" + s
}

// childID is the id of the seq-th resource of a record.
func childID(key string, seq int) string {
	s := strconv.Itoa(seq)
	for len(s) < 5 {
		s = "0" + s
	}
	return key + "-" + s
}

// npi returns a 10-digit National Provider Identifier with a valid check digit: the Luhn algorithm over
// the prefix 80840 and the first nine digits (CMS NPI check-digit rule).
func npi(rng *rand.Rand) string {
	d := make([]byte, 0, 10)
	d = append(d, '1')
	for i := 0; i < 8; i++ {
		d = append(d, byte('0'+rng.IntN(10)))
	}
	return string(d) + strconv.Itoa(luhnCheck("80840"+string(d)))
}

func luhnCheck(digits string) int {
	sum := 0
	double := true // the check digit will be appended to the right
	for i := len(digits) - 1; i >= 0; i-- {
		v := int(digits[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return (10 - sum%10) % 10
}

// pick returns an index into weights with probability proportional to its weight.
func pickWeighted(rng *rand.Rand, items []weighted) Coding {
	total := 0
	for _, w := range items {
		total += w.Weight
	}
	n := rng.IntN(total)
	for _, w := range items {
		if n < w.Weight {
			return w.Coding
		}
		n -= w.Weight
	}
	return items[len(items)-1].Coding
}

// between returns a uniform integer in [lo, hi].
func between(rng *rand.Rand, lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	return lo + rng.Int64N(hi-lo+1)
}

func chance(rng *rand.Rand, perMil int) bool { return rng.IntN(1000) < perMil }
