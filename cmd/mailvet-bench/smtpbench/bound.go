package smtpbench

import (
	"math"
	"time"

	"mailvet/verify/mailsim"
)

// Bound is the least time the protocol allows for verifying the farm under
// its caps: each MX host (the most preferred of a domain, as RFC 5321
// says to try first) needs a greeting and an EHLO round trip per
// connection, then one round trip per pipelined transaction of at most
// maxRcpts RCPTs (one per address plus one catch-all probe per domain),
// spread over at most conns connections. Hosts work in parallel, so the
// slowest host sets the time. Everything else (DNS, CPU) counts as free.
func Bound(farm mailsim.Farm, rtt time.Duration, conns, maxRcpts int) time.Duration {
	preferred := map[string]string{} // domain -> MX host
	rcpts := map[string]int{}        // MX host -> RCPTs needed
	for _, d := range farm.Domains {
		host := "mx." + d.Name
		best := -1
		for _, mx := range d.MX {
			if best < 0 || int(mx.Pref) < best {
				best, host = int(mx.Pref), mx.Host
			}
		}
		preferred[d.Name] = host
		rcpts[host]++ // the catch-all probe
	}
	for _, a := range farm.Addresses {
		rcpts[preferred[domainOf(a.Email)]]++
	}
	var worst time.Duration
	for _, n := range rcpts {
		txns := int(math.Ceil(float64(n) / float64(maxRcpts)))
		c := min(conns, txns)
		rounds := int(math.Ceil(float64(txns) / float64(c)))
		worst = max(worst, time.Duration(2+rounds)*rtt)
	}
	return worst
}

func domainOf(email string) string {
	for i := len(email) - 1; i >= 0; i-- {
		if email[i] == '@' {
			return email[i+1:]
		}
	}
	return ""
}
