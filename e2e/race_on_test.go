//go:build race

package e2e

// raceEnabled is set when the tests run under -race; TestClients then builds
// the server with -race too.
const raceEnabled = true
