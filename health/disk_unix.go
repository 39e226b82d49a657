//go:build linux || darwin

package health

import "syscall"

// available is the bytes an unprivileged process may still write on the
// file system holding dir.
func available(dir string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return uint64(st.Bavail) * uint64(st.Bsize), nil
}
