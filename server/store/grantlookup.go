package store

import "context"

// GrantByID returns a grant, revoked or not (ErrNotFound when there is none). The simulations use it to
// tie a FHIR request or a refresh to the launch and flow its grant came from.
func (db *DB) GrantByID(ctx context.Context, id string) (Grant, error) {
	var g Grant
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		g, err = tx.grant(ctx, id)
		return err
	})
	return g, err
}
