//go:build !linux && !darwin

package health

import "errors"

func available(string) (uint64, error) {
	return 0, errors.New("free disk space is not measured on this system")
}
