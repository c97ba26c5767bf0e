// Package postgres is the multi-node metadata store backend: package
// sqlstore over PostgreSQL through pgx's database/sql driver.
//
// WithTx transactions run at SERIALIZABLE, so concurrent read-check-write
// sequences (Replace's version check, Delete's referrer check) behave as if
// run one at a time; serialization failures (40001) and deadlocks (40P01)
// are retried a bounded number of times. The database must use UTF8
// encoding; collation does not matter because every compared column and
// expression is COLLATE "C".
package postgres
