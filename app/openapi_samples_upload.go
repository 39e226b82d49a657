package app

import (
	"fmt"
	"strings"
)

// The samples of an upload (a multipart/form-data body with a file part,
// POST /v1/lists): a list usually starts as a file, so these send
// contacts.csv, with a name part before the file as the operation asks.
// The JSON form of the same operation is in its Payload tab.

func (op *sampleOp) curlUpload() string {
	return fmt.Sprintf("curl -sS -X %s \"$MAILVET_URL%s\" \\\n"+
		"  -H \"Authorization: Bearer $MAILVET_API_KEY\" \\\n"+
		"  -F name=Newsletter \\\n"+
		"  -F file=@contacts.csv\n", op.Method, op.Path)
}

func (op *sampleOp) pythonUpload() string {
	return "import os\n\nimport requests\n\n" +
		"# requests sends the data fields before the file, as the API asks.\n" +
		"with open(\"contacts.csv\", \"rb\") as f:\n" +
		"    resp = requests." + strings.ToLower(op.Method) + "(\n" +
		"        os.environ[\"MAILVET_URL\"] + " + fmt.Sprintf("%q", op.Path) + ",\n" +
		"        headers={\"Authorization\": \"Bearer \" + os.environ[\"MAILVET_API_KEY\"]},\n" +
		"        data={\"name\": \"Newsletter\"},\n" +
		"        files={\"file\": (\"contacts.csv\", f, \"text/csv\")},\n" +
		"        timeout=300,\n" +
		"    )\n" +
		"if not resp.ok:  # an application/problem+json body with a stable code\n" +
		"    raise SystemExit(f\"{resp.status_code} {resp.json()['code']}: {resp.json()['detail']}\")\n" +
		"print(resp.json())\n"
}

func (op *sampleOp) javaScriptUpload() string {
	return "import { readFile } from \"node:fs/promises\";\n\n" +
		"const form = new FormData();\n" +
		"form.append(\"name\", \"Newsletter\"); // before the file\n" +
		"form.append(\"file\", new Blob([await readFile(\"contacts.csv\")], { type: \"text/csv\" }), \"contacts.csv\");\n" +
		"const res = await fetch(`${process.env.MAILVET_URL}" + op.Path + "`, {\n" +
		"  method: \"" + op.Method + "\",\n" +
		"  headers: { Authorization: `Bearer ${process.env.MAILVET_API_KEY}` },\n" +
		"  body: form,\n" +
		"});\n" +
		"if (!res.ok) {\n  const problem = await res.json(); // application/problem+json with a stable code\n" +
		"  throw new Error(`${res.status} ${problem.code}: ${problem.detail}`);\n}\n" +
		"console.log(await res.json());\n"
}

// goUpload streams the file through a pipe, so a large list is never held
// in memory.
func (op *sampleOp) goUpload() string {
	return `package main

import (
	"fmt"
	"io"
	"log"
	"mime/multipart"
	"net/http"
	"os"
)

func main() {
	file, err := os.Open("contacts.csv")
	if err != nil {
		log.Fatal(err)
	}
	defer file.Close()
	body, pw := io.Pipe()
	form := multipart.NewWriter(pw)
	go func() {
		// The name before the file, as the API asks.
		err := form.WriteField("name", "Newsletter")
		if err == nil {
			var part io.Writer
			if part, err = form.CreateFormFile("file", "contacts.csv"); err == nil {
				_, err = io.Copy(part, file)
			}
		}
		if err == nil {
			err = form.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequest(` + fmt.Sprintf("%q", op.Method) + `, os.Getenv("MAILVET_URL")+` + fmt.Sprintf("%q", op.Path) + `, body)
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+os.Getenv("MAILVET_API_KEY"))
	req.Header.Set("Content-Type", form.FormDataContentType())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		log.Fatal(err)
	}
	if res.StatusCode >= 400 {
		// An application/problem+json body with a stable code.
		log.Fatalf("%s: %s", res.Status, out)
	}
	fmt.Println(string(out))
}
`
}
