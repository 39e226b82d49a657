package address

import "strings"

// providerList is the popular mailbox providers Suggest corrects towards,
// one per line. A constant (not a map) keeps the package free of mutable
// state; at ~110 entries a scan costs well under a microsecond.
const providerList = `gmail.com
googlemail.com
yahoo.com
yahoo.co.uk
yahoo.fr
yahoo.de
yahoo.it
yahoo.es
yahoo.ca
yahoo.in
yahoo.co.in
yahoo.co.jp
yahoo.com.au
yahoo.com.br
yahoo.com.mx
ymail.com
rocketmail.com
hotmail.com
hotmail.co.uk
hotmail.fr
hotmail.de
hotmail.it
hotmail.es
hotmail.nl
outlook.com
outlook.fr
outlook.de
outlook.es
outlook.it
live.com
live.co.uk
live.fr
live.de
live.it
live.nl
live.ca
msn.com
aol.com
aol.co.uk
aim.com
icloud.com
me.com
mac.com
proton.me
protonmail.com
protonmail.ch
pm.me
gmx.com
gmx.de
gmx.net
gmx.at
gmx.ch
gmx.fr
web.de
freenet.de
t-online.de
yandex.ru
yandex.com
ya.ru
mail.ru
bk.ru
inbox.ru
list.ru
mail.com
email.com
zoho.com
zohomail.com
fastmail.com
fastmail.fm
hey.com
tutanota.com
tuta.io
qq.com
163.com
126.com
naver.com
daum.net
hanmail.net
rediffmail.com
comcast.net
att.net
verizon.net
sbcglobal.net
bellsouth.net
cox.net
charter.net
earthlink.net
optonline.net
shaw.ca
rogers.com
orange.fr
wanadoo.fr
free.fr
sfr.fr
laposte.net
libero.it
virgilio.it
btinternet.com
sky.com
virginmedia.com
ntlworld.com
talktalk.net
bigpond.com
optusnet.com.au
uol.com.br
bol.com.br
seznam.cz
wp.pl
o2.pl
interia.pl
onet.pl`

// isProvider reports whether d is in providerList.
func isProvider(d string) bool {
	for p := range strings.SplitSeq(providerList, "\n") {
		if p == d {
			return true
		}
	}
	return false
}

// isNotTypo lists real, unrelated domains that sit one edit from a
// provider and must not be "corrected".
func isNotTypo(d string) bool {
	switch d {
	case "cloud.com", "mails.com":
		return true
	}
	return false
}

// suffixTypo maps a mistyped public suffix to the intended one. ok is false
// when s is not a known typo. providerOnly marks typos that are themselves
// real country TLDs (Cameroon, Oman, Colombia, Niger): they are corrected
// only when the result is a known provider.
func suffixTypo(s string) (to string, providerOnly, ok bool) {
	switch s {
	case "con", "cmo", "comm", "coom", "ocm", "cpm", "vom", "xom", "cim",
		"cok", "comn", "cmm", "ccom", "c0m", "coml", "vcom", "xcom", "ckm", "clm":
		return "com", false, true
	case "cm", "om", "co":
		return "com", true, true
	case "nett", "ent", "nte", "ner", "nt", "neet", "nwt":
		return "net", false, true
	case "ne":
		return "net", true, true
	case "ogr", "orgg", "rog", "otg", "prg", "or", "orh":
		return "org", false, true
	case "cou.k", "co.ku", "c.ouk", "co.uj", "co.k", "co.ukk", "couk":
		return "co.uk", false, true
	}
	return "", false, false
}

// isSecondLevel reports whether label is a common second-level label of
// two-part country suffixes (co.uk, com.au, ne.jp, …).
func isSecondLevel(label string) bool {
	switch label {
	case "co", "com", "net", "org", "ac", "gov", "edu", "ne", "or", "go", "gen", "ltd", "plc":
		return true
	}
	return false
}
