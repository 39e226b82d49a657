package secretbox

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func randomKey(t testing.TB) string {
	t.Helper()
	key := make([]byte, keySize)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(key)
}

func mustParse(t testing.TB, s string) *Keyring {
	t.Helper()
	ring, err := ParseKeyring(s)
	if err != nil {
		t.Fatalf("ParseKeyring: %v", err)
	}
	return ring
}

const signingContext = "webhook_endpoint:0b6f6c36-7d55-4d6b-9a0e-2f1c3d4e5f60:signing"

func TestSealOpenRoundTrip(t *testing.T) {
	ring := mustParse(t, "k1:"+randomKey(t))
	for _, plain := range [][]byte{[]byte("whsec_c2VjcmV0"), {}, bytes.Repeat([]byte{0xff}, 4096)} {
		sealed, err := ring.Seal(plain, signingContext)
		if err != nil {
			t.Fatal(err)
		}
		if len(plain) > 0 && bytes.Contains(sealed, plain) {
			t.Fatal("sealed value contains the plain text")
		}
		got, err := ring.Open(sealed, signingContext)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if !bytes.Equal(got, plain) {
			t.Fatalf("Open = %q, want %q", got, plain)
		}
	}
}

func TestSealUsesFreshNonce(t *testing.T) {
	ring := mustParse(t, "k1:"+randomKey(t))
	a, _ := ring.Seal([]byte("same"), signingContext)
	b, _ := ring.Seal([]byte("same"), signingContext)
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same value are identical: nonce reused")
	}
}

func TestOpenRefusesTampering(t *testing.T) {
	ring := mustParse(t, "k1:"+randomKey(t))
	sealed, err := ring.Seal([]byte("whsec_c2VjcmV0"), signingContext)
	if err != nil {
		t.Fatal(err)
	}
	// Every byte after the id: nonce, ciphertext and tag.
	for i := 2 + len("k1"); i < len(sealed); i++ {
		altered := bytes.Clone(sealed)
		altered[i] ^= 0x01
		if _, err := ring.Open(altered, signingContext); !errors.Is(err, ErrOpen) {
			t.Fatalf("byte %d flipped: err = %v, want ErrOpen", i, err)
		}
	}
	if _, err := ring.Open(sealed[:len(sealed)-1], signingContext); !errors.Is(err, ErrOpen) {
		t.Fatalf("truncated: err = %v, want ErrOpen", err)
	}
	if _, err := ring.Open(sealed[:1], signingContext); !errors.Is(err, ErrOpen) {
		t.Fatalf("one byte: err = %v, want ErrOpen", err)
	}
	wrongVersion := bytes.Clone(sealed)
	wrongVersion[0] = 9
	if _, err := ring.Open(wrongVersion, signingContext); !errors.Is(err, ErrOpen) {
		t.Fatalf("version 9: err = %v, want ErrOpen", err)
	}
}

func TestOpenRefusesOtherContext(t *testing.T) {
	ring := mustParse(t, "k1:"+randomKey(t))
	sealed, err := ring.Seal([]byte("whsec_c2VjcmV0"), signingContext)
	if err != nil {
		t.Fatal(err)
	}
	for _, other := range []string{"", "webhook_endpoint:11111111-7d55-4d6b-9a0e-2f1c3d4e5f60:signing", signingContext + " "} {
		if _, err := ring.Open(sealed, other); !errors.Is(err, ErrOpen) {
			t.Fatalf("context %q: err = %v, want ErrOpen", other, err)
		}
	}
}

func TestKeyRotation(t *testing.T) {
	oldKey, newKey := randomKey(t), randomKey(t)
	before := mustParse(t, "old:"+oldKey)
	sealedBefore, err := before.Seal([]byte("first secret"), signingContext)
	if err != nil {
		t.Fatal(err)
	}

	after := mustParse(t, "new:"+newKey+",old:"+oldKey)
	if after.CurrentID() != "new" {
		t.Fatalf("CurrentID = %q, want new", after.CurrentID())
	}
	got, err := after.Open(sealedBefore, signingContext)
	if err != nil || string(got) != "first secret" {
		t.Fatalf("rotated ring opens old value: %q, %v", got, err)
	}
	sealedAfter, err := after.Seal([]byte("second secret"), signingContext)
	if err != nil {
		t.Fatal(err)
	}
	if id := string(sealedAfter[2 : 2+sealedAfter[1]]); id != "new" {
		t.Fatalf("sealed with %q, want new", id)
	}
	// The old ring alone no longer opens it: proof the new key was used.
	_, err = before.Open(sealedAfter, signingContext)
	if !errors.Is(err, ErrUnknownKey) || !strings.Contains(err.Error(), `"new"`) {
		t.Fatalf("old ring on new value: err = %v, want ErrUnknownKey naming \"new\"", err)
	}
}

func TestParseKeyringErrors(t *testing.T) {
	good := randomKey(t)
	short := base64.StdEncoding.EncodeToString([]byte("sixteen bytes!!!"))
	cases := []struct {
		ring, want string
	}{
		{"", "empty"},
		{"   ", "empty"},
		{"k1" + good, "entry 1 is not id:base64key"},
		{"k1:" + good + ",", "entry 2 is not id:base64key"},
		{":" + good, "id is empty"},
		{"k 1:" + good, "only letters"},
		{"k1:" + good + ",k2:not*base64", `entry 2 (id "k2"): key is not valid standard base64`},
		{"k1:" + short, "key is 16 bytes, want 32"},
		{"k1:" + good + ",k1:" + randomKey(t), `id "k1" is used twice`},
	}
	for _, c := range cases {
		_, err := ParseKeyring(c.ring)
		if err == nil {
			t.Errorf("ParseKeyring(%q) accepted", c.ring)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseKeyring(%q) = %q, want it to say %q", c.ring, err, c.want)
		}
		if strings.Contains(err.Error(), good) || strings.Contains(err.Error(), short) {
			t.Errorf("ParseKeyring(%q) echoes key material: %q", c.ring, err)
		}
	}
}

func TestParseKeyringTrimsSpaces(t *testing.T) {
	ring := mustParse(t, " a:"+randomKey(t)+" , b:"+randomKey(t)+" ")
	if ring.CurrentID() != "a" {
		t.Fatalf("CurrentID = %q, want a", ring.CurrentID())
	}
}

func BenchmarkSeal(b *testing.B) {
	ring := mustParse(b, "k1:"+randomKey(b))
	plain := []byte("whsec_" + randomKey(b))
	for b.Loop() {
		if _, err := ring.Seal(plain, signingContext); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	ring := mustParse(b, "k1:"+randomKey(b))
	sealed, err := ring.Seal([]byte("whsec_"+randomKey(b)), signingContext)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := ring.Open(sealed, signingContext); err != nil {
			b.Fatal(err)
		}
	}
}
