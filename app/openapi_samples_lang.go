package app

import (
	"encoding/json"
	"fmt"
	"go/format"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// The four languages' samples of one operation. Each reads the server's
// address from MAILVET_URL and the key from MAILVET_API_KEY (a signed
// push: the endpoint's inbound secret from MAILVET_INBOUND_SECRET), so it
// runs as it is once those are set, and shows where the stable error code
// of a refusal is.

func (op *sampleOp) curl() string {
	var b strings.Builder
	if op.Signed {
		fmt.Fprintf(&b, "# Sign id.timestamp.body with the endpoint's inbound secret (whsec_…)\n")
		fmt.Fprintf(&b, "body='%s'\nid=\"msg_$(date +%%s%%N)\"; ts=\"$(date +%%s)\"\n", op.Body)
		fmt.Fprintf(&b, "sig=\"$(printf '%%s' \"$id.$ts.$body\" | openssl dgst -sha256 -mac HMAC \\\n")
		fmt.Fprintf(&b, "  -macopt hexkey:\"$(printf '%%s' \"${MAILVET_INBOUND_SECRET#whsec_}\" | base64 -d | xxd -p -c 256)\" -binary | base64)\"\n")
	}
	fmt.Fprintf(&b, "curl -sS -X %s \"$MAILVET_URL%s\"", op.Method, op.Path)
	switch {
	case op.Signed:
		b.WriteString(" \\\n  -H \"webhook-id: $id\" \\\n  -H \"webhook-timestamp: $ts\" \\\n  -H \"webhook-signature: v1,$sig\"")
	case !op.Keyless:
		b.WriteString(" \\\n  -H \"Authorization: Bearer $MAILVET_API_KEY\"")
	}
	switch {
	case op.Signed:
		b.WriteString(" \\\n  -H \"Content-Type: application/json\" \\\n  -d \"$body\"")
	case op.Body != "":
		fmt.Fprintf(&b, " \\\n  -H \"Content-Type: application/json\" \\\n  -d '%s'", op.Body)
	}
	b.WriteString("\n")
	return b.String()
}

func (op *sampleOp) python() string {
	var b strings.Builder
	b.WriteString("import os\n")
	if op.Signed {
		b.WriteString("import base64, hashlib, hmac, json, time, uuid\n")
	}
	b.WriteString("\nimport requests\n\n")
	url := "os.environ[\"MAILVET_URL\"] + " + strconv.Quote(op.Path)
	args := []string{url}
	switch {
	case op.Signed:
		fmt.Fprintf(&b, "body = json.dumps(%s)\n", pyLiteral(op.BodyData))
		b.WriteString("msg_id, ts = \"msg_\" + uuid.uuid4().hex, str(int(time.time()))\n")
		b.WriteString("key = base64.b64decode(os.environ[\"MAILVET_INBOUND_SECRET\"].removeprefix(\"whsec_\"))\n")
		b.WriteString("sig = base64.b64encode(hmac.new(key, f\"{msg_id}.{ts}.{body}\".encode(), hashlib.sha256).digest()).decode()\n\n")
		args = append(args, "headers={\"webhook-id\": msg_id, \"webhook-timestamp\": ts, \"webhook-signature\": \"v1,\" + sig, \"Content-Type\": \"application/json\"}", "data=body")
	case !op.Keyless:
		args = append(args, "headers={\"Authorization\": \"Bearer \" + os.environ[\"MAILVET_API_KEY\"]}")
	}
	if op.Body != "" && !op.Signed {
		args = append(args, "json="+pyLiteral(op.BodyData))
	}
	args = append(args, "timeout=30")
	fmt.Fprintf(&b, "resp = requests.%s(\n    %s,\n)\n", strings.ToLower(op.Method), strings.Join(args, ",\n    "))
	b.WriteString("if not resp.ok:  # an application/problem+json body with a stable code\n")
	b.WriteString("    raise SystemExit(f\"{resp.status_code} {resp.json()['code']}: {resp.json()['detail']}\")\n")
	switch op.Result {
	case "json":
		b.WriteString("print(resp.json())\n")
	case "text":
		b.WriteString("print(resp.text)\n")
	default:
		b.WriteString("print(resp.status_code)\n")
	}
	return b.String()
}

func (op *sampleOp) javaScript() string {
	var b strings.Builder
	headers := []string{}
	if op.Signed {
		b.WriteString("import { createHmac, randomUUID } from \"node:crypto\";\n\n")
		fmt.Fprintf(&b, "const body = JSON.stringify(%s);\n", op.Body)
		b.WriteString("const id = `msg_${randomUUID()}`, ts = String(Math.floor(Date.now() / 1000));\n")
		b.WriteString("const key = Buffer.from(process.env.MAILVET_INBOUND_SECRET.replace(/^whsec_/, \"\"), \"base64\");\n")
		b.WriteString("const sig = createHmac(\"sha256\", key).update(`${id}.${ts}.${body}`).digest(\"base64\");\n\n")
		headers = append(headers, `"webhook-id": id`, `"webhook-timestamp": ts`, "\"webhook-signature\": `v1,${sig}`")
	} else if !op.Keyless {
		headers = append(headers, "Authorization: `Bearer ${process.env.MAILVET_API_KEY}`")
	}
	if op.Body != "" {
		headers = append(headers, `"Content-Type": "application/json"`)
	}
	fmt.Fprintf(&b, "const res = await fetch(`${process.env.MAILVET_URL}%s`, {\n  method: %q,\n", op.Path, op.Method)
	if len(headers) > 0 {
		fmt.Fprintf(&b, "  headers: {\n    %s,\n  },\n", strings.Join(headers, ",\n    "))
	}
	switch {
	case op.Signed:
		b.WriteString("  body,\n")
	case op.Body != "":
		fmt.Fprintf(&b, "  body: JSON.stringify(%s),\n", op.Body)
	}
	b.WriteString("});\n")
	b.WriteString("if (!res.ok) {\n  const problem = await res.json(); // application/problem+json with a stable code\n")
	b.WriteString("  throw new Error(`${res.status} ${problem.code}: ${problem.detail}`);\n}\n")
	switch op.Result {
	case "json":
		b.WriteString("console.log(await res.json());\n")
	case "text":
		b.WriteString("console.log(await res.text());\n")
	default:
		b.WriteString("console.log(res.status);\n")
	}
	return b.String()
}

// goSource is a whole program, gofmt'ed (which also proves it parses).
func (op *sampleOp) goSource() (string, error) {
	imports := []string{"fmt", "io", "log", "net/http", "os"}
	var b strings.Builder
	body := "nil"
	if op.Body != "" {
		imports = append(imports, "strings")
		fmt.Fprintf(&b, "body := `%s`\n", op.Body)
		body = "strings.NewReader(body)"
	}
	fmt.Fprintf(&b, "req, err := http.NewRequest(%q, os.Getenv(\"MAILVET_URL\")+%q, %s)\n", op.Method, op.Path, body)
	b.WriteString("if err != nil {\nlog.Fatal(err)\n}\n")
	switch {
	case op.Signed:
		imports = append(imports, "crypto/hmac", "crypto/sha256", "encoding/base64", "strconv", "time")
		b.WriteString("// Sign id.timestamp.body with the endpoint's inbound secret (whsec_…).\n")
		b.WriteString("key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(os.Getenv(\"MAILVET_INBOUND_SECRET\"), \"whsec_\"))\n")
		b.WriteString("if err != nil {\nlog.Fatal(err)\n}\n")
		b.WriteString("id, ts := \"msg_\"+strconv.FormatInt(time.Now().UnixNano(), 36), strconv.FormatInt(time.Now().Unix(), 10)\n")
		b.WriteString("mac := hmac.New(sha256.New, key)\nmac.Write([]byte(id + \".\" + ts + \".\" + body))\n")
		b.WriteString("req.Header.Set(\"webhook-id\", id)\nreq.Header.Set(\"webhook-timestamp\", ts)\n")
		b.WriteString("req.Header.Set(\"webhook-signature\", \"v1,\"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))\n")
	case !op.Keyless:
		b.WriteString("req.Header.Set(\"Authorization\", \"Bearer \"+os.Getenv(\"MAILVET_API_KEY\"))\n")
	}
	if op.Body != "" {
		b.WriteString("req.Header.Set(\"Content-Type\", \"application/json\")\n")
	}
	b.WriteString("res, err := http.DefaultClient.Do(req)\nif err != nil {\nlog.Fatal(err)\n}\ndefer res.Body.Close()\n")
	b.WriteString("out, err := io.ReadAll(res.Body)\nif err != nil {\nlog.Fatal(err)\n}\n")
	b.WriteString("if res.StatusCode >= 400 {\n// An application/problem+json body with a stable code.\nlog.Fatalf(\"%s: %s\", res.Status, out)\n}\n")
	if op.Result == "" {
		b.WriteString("fmt.Println(res.Status, string(out))\n")
	} else {
		b.WriteString("fmt.Println(string(out))\n")
	}
	slices.Sort(imports)
	src := "package main\n\nimport (\n\"" + strings.Join(imports, "\"\n\"") + "\"\n)\n\nfunc main() {\n" + b.String() + "}\n"
	formatted, err := format.Source([]byte(src))
	if err != nil {
		return "", fmt.Errorf("the Go sample does not parse: %w\n%s", err, src)
	}
	return string(formatted), nil
}

// pyLiteral writes a decoded JSON/YAML value as a Python literal.
func pyLiteral(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		if v {
			return "True"
		}
		return "False"
	case string:
		b, _ := json.Marshal(v)
		return string(b)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = pyLiteral(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		parts := make([]string, 0, len(v))
		for _, k := range slices.Sorted(maps.Keys(v)) {
			parts = append(parts, pyLiteral(k)+": "+pyLiteral(v[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}
