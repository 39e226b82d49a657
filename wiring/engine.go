package wiring

import (
	"mailvet/config"
	"mailvet/verify"
)

// EngineConfig is the verification engine's configuration from the
// settings; the benchmark points it at its simulated world.
func EngineConfig(cfg config.Config) verify.Config {
	vc := verify.DefaultConfig()
	vc.DNSServer = cfg.DNSServer
	vc.DNSCanaries = cfg.DNSCanaries // empty: no check
	vc.SMTPPort = cfg.SMTPPort
	vc.HeloName = cfg.HeloName
	vc.MailFrom = cfg.MailFrom
	vc.Proxy = cfg.SMTPProxy
	vc.StartTLS = cfg.SMTPStartTLS
	vc.ConnectTimeout = cfg.SMTPConnectTimeout
	vc.CommandTimeout = cfg.SMTPCommandTimeout
	vc.MaxConnsPerHost = cfg.SMTPMaxConnsPerHost
	return vc
}

// NewEngine builds the verification engine from the settings.
func NewEngine(cfg config.Config) (*verify.Verifier, error) {
	return verify.New(EngineConfig(cfg))
}
