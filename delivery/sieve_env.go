package delivery

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/htmlindex"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/message"
	"github.com/dbmail-go/dbmail/sieve"
)

// maxBodyDepth bounds the MIME nesting the body test walks (spec 0.1
// MAX_MIME_DEPTH).
const maxBodyDepth = 64

// headerField is one raw top-level header field, unfolded.
type headerField struct{ name, value string }

// sieveEnv is what a script sees of one delivery (sieve.Env).
type sieveEnv struct {
	ctx     context.Context
	db      *db.DB
	userID  int64
	env     SortEnv
	charset string
	now     time.Time

	header []headerField
	body   []byte // the body after the header's blank line
	leaves []bodyLeaf
	walked bool
}

// bodyLeaf is one decoded non-multipart entity, for the body test.
type bodyLeaf struct{ ctype, text string }

func newSieveEnv(ctx context.Context, d *db.DB, userID int64, env SortEnv, charset string, now time.Time) *sieveEnv {
	raw := env.Raw[headerStart(env.Raw):]
	hdr, body := splitHeader(raw)
	return &sieveEnv{ctx: ctx, db: d, userID: userID, env: env, charset: charset, now: now, header: parseFields(hdr), body: body}
}

// splitHeader cuts a message at the first empty line.
func splitHeader(raw []byte) (hdr, body []byte) {
	for i := 0; i < len(raw); {
		j := bytes.IndexByte(raw[i:], '\n')
		if j < 0 {
			return raw, nil
		}
		line := bytes.TrimRight(raw[i:i+j], "\r")
		if len(line) == 0 {
			return raw[:i], raw[i+j+1:]
		}
		i += j + 1
	}
	return raw, nil
}

// parseFields reads header fields, joining continuation lines (RFC 5322
// §2.2.3 unfolding).
func parseFields(hdr []byte) []headerField {
	var out []headerField
	for _, line := range strings.Split(strings.ReplaceAll(string(hdr), "\r\n", "\n"), "\n") {
		if line == "" {
			continue
		}
		if (line[0] == ' ' || line[0] == '\t') && len(out) > 0 {
			out[len(out)-1].value += line
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		out = append(out, headerField{name: strings.TrimSpace(name), value: value})
	}
	return out
}

func (e *sieveEnv) RawHeaderValues(name string) []string {
	var out []string
	for _, f := range e.header {
		if strings.EqualFold(f.name, name) {
			out = append(out, strings.TrimSpace(f.value))
		}
	}
	return out
}

// HeaderValues decodes RFC 2047 words as the header cache does (spec 2.9).
func (e *sieveEnv) HeaderValues(name string) []string {
	raw := e.RawHeaderValues(name)
	for i, v := range raw {
		raw[i] = message.DecodeHeader(v, e.charset)
	}
	return raw
}

func (e *sieveEnv) EnvelopeFrom() string { return strings.Trim(e.env.EnvelopeFrom, "<>") }
func (e *sieveEnv) EnvelopeTo() string   { return strings.Trim(e.env.EnvelopeTo, "<>") }

// Size is the RFC 822 size DBMail's size test uses (spec 6.6: rfcsize).
func (e *sieveEnv) Size() int64 {
	if e.env.Message != nil {
		return e.env.Message.RFCSize
	}
	return int64(len(e.env.Raw))
}

func (e *sieveEnv) Now() time.Time { return e.now }

// MailboxExists answers the mailboxexists test (RFC 5490 §3.1).
func (e *sieveEnv) MailboxExists(name string) bool {
	_, err := e.db.FindMailbox(e.ctx, e.userID, name)
	return err == nil
}

// duplicateKey maps an RFC 7352 id onto dbmail_replycache: the id is
// hashed into to_addr (ids may be longer than the 100-byte column), the
// user goes into from_addr, the handle is kept.
func (e *sieveEnv) duplicateKey(id, handle string) (to, from, h string) {
	sum := sha256.Sum256([]byte(id))
	return "sieve-duplicate:" + hex.EncodeToString(sum[:16]), "user:" + strconv.FormatInt(e.userID, 10), handle
}

// Duplicate reports whether the id was recorded within seconds (RFC 7352
// §3); the Sorter records the ids of Result.Duplicates afterwards.
func (e *sieveEnv) Duplicate(id, handle string, seconds int, last bool) (bool, error) {
	to, from, h := e.duplicateKey(id, handle)
	return e.db.ReplySeen(e.ctx, to, from, h, time.Duration(seconds)*time.Second, e.now)
}

// Include loads a personal script (RFC 6609). DBMail has no global
// scripts, so :global includes are never found.
func (e *sieveEnv) Include(name string, global bool) ([]byte, error) {
	if global {
		return nil, fmt.Errorf("global script %q: %w", name, sieve.ErrScriptNotFound)
	}
	src, _, err := e.db.SieveScriptText(e.ctx, e.userID, name)
	if errors.Is(err, db.ErrNotFound) {
		return nil, fmt.Errorf("%w: %w", sieve.ErrScriptNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	return []byte(src), nil
}

// Body returns the texts the body test matches (RFC 5173 §5).
func (e *sieveEnv) Body(tr sieve.BodyTransform, types []string) ([]string, error) {
	if tr == sieve.BodyRaw {
		return []string{string(e.body)}, nil
	}
	if !e.walked {
		// Decoded once per delivery, however many body tests run.
		walkBody(e.header, e.body, "text/plain", 0, func(ctype, text string) {
			e.leaves = append(e.leaves, bodyLeaf{ctype, text})
		})
		e.walked = true
	}
	var out []string
	for _, l := range e.leaves {
		if tr == sieve.BodyText {
			if strings.HasPrefix(l.ctype, "text/") {
				out = append(out, l.text)
			}
			continue
		}
		for _, t := range types {
			t = strings.ToLower(t)
			if t == "" || t == l.ctype || !strings.Contains(t, "/") && strings.HasPrefix(l.ctype, t+"/") {
				out = append(out, l.text)
				break
			}
		}
	}
	return out, nil
}

// fieldValue returns the first raw value of name in fields.
func fieldValue(fields []headerField, name string) string {
	for _, f := range fields {
		if strings.EqualFold(f.name, name) {
			return strings.TrimSpace(f.value)
		}
	}
	return ""
}

// walkBody calls leaf for every non-multipart entity with its lower-case
// content type and its decoded text (transfer encoding removed, charset
// converted to UTF-8). An encapsulated message's parts are walked too.
func walkBody(fields []headerField, body []byte, def string, depth int, leaf func(ctype, text string)) {
	if depth > maxBodyDepth {
		return
	}
	ctype, params := def, map[string]string{}
	if v := fieldValue(fields, "content-type"); v != "" {
		if mt, p, err := mime.ParseMediaType(v); err == nil {
			ctype, params = strings.ToLower(mt), p
		}
	}
	switch {
	case strings.HasPrefix(ctype, "multipart/") && params["boundary"] != "":
		childDef := "text/plain"
		if ctype == "multipart/digest" {
			childDef = "message/rfc822"
		}
		r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			p, err := r.NextRawPart()
			if err != nil {
				return
			}
			b, err := io.ReadAll(p)
			if err != nil {
				return
			}
			var pf []headerField
			for k, vs := range p.Header {
				for _, v := range vs {
					pf = append(pf, headerField{name: k, value: v})
				}
			}
			walkBody(pf, b, childDef, depth+1, leaf)
		}
	case ctype == "message/rfc822":
		hdr, inner := splitHeader(body)
		walkBody(parseFields(hdr), inner, "text/plain", depth+1, leaf)
	default:
		leaf(ctype, decodeText(body, fieldValue(fields, "content-transfer-encoding"), params["charset"]))
	}
}

// decodeText removes the transfer encoding and converts to UTF-8.
func decodeText(body []byte, cte, charset string) string {
	var dec []byte
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		clean := bytes.Map(func(r rune) rune {
			if r == '\r' || r == '\n' || r == ' ' || r == '\t' {
				return -1
			}
			return r
		}, body)
		dec = make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
		n, _ := base64.StdEncoding.Decode(dec, clean)
		dec = dec[:n]
	case "quoted-printable":
		b, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		dec = b
	default:
		dec = body
	}
	cs := strings.ToLower(strings.TrimSpace(charset))
	if cs == "" || cs == "us-ascii" || cs == "utf-8" || cs == "utf8" {
		return string(dec)
	}
	enc, err := htmlindex.Get(cs)
	if err != nil {
		return string(dec)
	}
	out, err := enc.NewDecoder().Bytes(dec)
	if err != nil {
		return string(dec)
	}
	return string(out)
}
