package health

import (
	"context"
	"fmt"
)

// DiskFree fails when the file system holding dir has less than minFree
// bytes available to the service (the blocks root keeps back excluded).
func DiskFree(dir string, minFree uint64) Probe {
	return func(ctx context.Context) (string, error) {
		free, err := available(dir)
		if err != nil {
			return "", fmt.Errorf("free space of %s: %w", dir, err)
		}
		detail := fmt.Sprintf("%s free in %s", bytesText(free), dir)
		if free < minFree {
			return "", fmt.Errorf("%s, below %s", detail, bytesText(minFree))
		}
		return detail, nil
	}
}

// bytesText writes n in binary units, as df -h does.
func bytesText(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
