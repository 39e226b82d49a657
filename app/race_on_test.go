//go:build race

package app_test

// raceDetector: this test binary runs under the race detector, which makes
// the biggest end-to-end cases many times slower.
const raceDetector = true
