// Package reliability holds Nimbus's whole-system reliability tests: kill -9
// during mixed DynamoDB writes, full and read-only data folders, faulty
// functions, misbehaving gateway clients, restart and reload under load, the
// bad-input corpus (testdata/bad at the repository root), fuzz targets for
// the request decoders, and a bounded soak. The package has no code of its
// own; see docs/reliability.md for what each test proves and how to run it.
package reliability
