//go:build !race

package app_test

// raceDetector: this test binary runs without the race detector.
const raceDetector = false
