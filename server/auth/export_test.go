package auth

// WrapVerifierStore lets tests observe, or interleave work with, the verifier's store reads.
func WrapVerifierStore(v *Verifier, wrap func(Store) Store) { v.store = wrap(v.store) }
