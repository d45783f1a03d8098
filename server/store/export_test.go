package store

// LatestMigration is the highest migration number this binary knows, for the tests of package store_test.
func LatestMigration() int {
	ms, err := loadMigrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].number
}
