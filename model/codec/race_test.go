//go:build race

package codec

// raceEnabled: the race detector disables sync.Pool caching, so code that
// is allocation-free in normal builds allocates under -race.
const raceEnabled = true
