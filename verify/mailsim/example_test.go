package mailsim_test

import (
	"context"
	"fmt"
	"net"
	"strconv"

	gosmtp "github.com/emersion/go-smtp"

	"mailvet/verify/mailsim"
)

// A world with one domain, probed the way the engine does: MX lookup
// through the world's DNS, then EHLO, MAIL FROM and RCPT TO.
func Example() {
	ctx := context.Background()
	w, err := mailsim.New(ctx, mailsim.Config{
		Domains: []mailsim.Domain{{Name: "acme.test", Mailboxes: []string{"ann"}}},
	})
	if err != nil {
		panic(err)
	}
	defer w.Close()

	mxs, _ := w.Resolver().LookupMX(ctx, "acme.test")
	ips, _ := w.Resolver().LookupHost(ctx, mxs[0].Host)
	fmt.Println(mxs[0].Host, ips[0] == w.HostAddr("mx.acme.test"))

	c, err := gosmtp.Dial(net.JoinHostPort(ips[0], strconv.Itoa(w.SMTPPort())))
	if err != nil {
		panic(err)
	}
	_ = c.Hello("client.test")
	_ = c.Mail("probe@client.test", nil)
	fmt.Println(c.Rcpt("ann@acme.test", nil))
	fmt.Println(c.Rcpt("bob@acme.test", nil))
	_ = c.Quit()
	fmt.Println(w.Stats("mx.acme.test").Commands[mailsim.VerbRCPT])
	// Output:
	// mx.acme.test. true
	// <nil>
	// SMTP error 550: <bob@acme.test>: Recipient address rejected: User unknown
	// 2
}

// The reference benchmark farm: 20,000 addresses with expected outcomes.
func ExampleReferenceFarm() {
	farm := mailsim.ReferenceFarm(1, mailsim.FarmOptions{})
	fmt.Println(len(farm.Domains), len(farm.Addresses), len(farm.Hosts) < 1000)
	// Output: 500 20000 true
}
