package delivery

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"strings"
	"time"

	"github.com/dbmail-go/dbmail/sieve"
)

// vacation sends one auto-reply (RFC 5230) unless the message must not be
// answered (RFC 5230 §4.5–4.6, RFC 3834: lists, bulk mail, daemons,
// automatic replies — sieve.ShouldReply's verdict in v.Skip) or the reply
// cache says this sender got one within the period (spec 6.6: the key is
// (to, from, handle) in dbmail_replycache). Failures are logged: they
// never fail the delivery.
func (s *SieveSorter) vacation(ctx context.Context, userID int64, env SortEnv, senv *sieveEnv, v sieve.Vacation) {
	log := s.Log.With("user", userID, "to", v.To)
	if v.Skip != "" {
		log.Info("sieve vacation: no reply", "reason", v.Skip)
		return
	}
	from := v.From
	if from == "" {
		// spec 6.6: :from, else Delivered-To, else the envelope recipient.
		if dt := senv.RawHeaderValues("delivered-to"); len(dt) > 0 && dt[0] != "" {
			from = dt[0]
		} else {
			from = senv.EnvelopeTo()
		}
	}
	fromAddr := from
	if a, err := mail.ParseAddress(from); err == nil {
		fromAddr = a.Address
	}
	if fromAddr == "" {
		fromAddr = senderOr("", s.Opt.Postmaster)
		from = fromAddr
	}
	handle := stableHandle(v, senv.HeaderValues("subject"))
	d := s.DB
	if env.DB != nil {
		d = env.DB
	}
	ok, err := d.ClaimReply(ctx, v.To, fromAddr, handle, time.Duration(v.Seconds)*time.Second, s.now())
	if err != nil {
		log.Error("sieve vacation: reply cache", "err", err)
		return
	}
	if !ok {
		log.Info("sieve vacation: already replied within the period", "seconds", v.Seconds)
		return
	}
	msg := vacationMessage(v, from, s.now())
	if s.Mailer == nil {
		log.Error("sieve vacation: no mailer configured")
		return
	}
	if err := s.Mailer.Send(ctx, fromAddr, []string{v.To}, msg); err != nil {
		log.Error("sieve vacation: send failed", "err", err)
		return
	}
	log.Info("sieve vacation: reply sent", "from", fromAddr)
}

// vacationMessage builds the reply (RFC 5230 §5): In-Reply-To and
// References to the original, Auto-Submitted: auto-replied (RFC 3834 §5),
// DBMail's X-DBMail-Vacation marker, and a text/plain UTF-8 body in
// quoted-printable when it is not plain ASCII (spec 6.6). With :mime the
// reason is a MIME entity whose own header follows ours.
func vacationMessage(v sieve.Vacation, from string, now time.Time) []byte {
	var b bytes.Buffer
	hdr := func(name, value string) {
		b.WriteString(name)
		b.WriteString(": ")
		b.WriteString(value)
		b.WriteString("\r\n")
	}
	hdr("From", encodeAddressHeader(from))
	hdr("To", v.To)
	hdr("Subject", mime.QEncoding.Encode("utf-8", v.Subject))
	hdr("Date", now.Format(time.RFC1123Z))
	hdr("Message-ID", newMessageID())
	if v.InReplyTo != "" {
		hdr("In-Reply-To", v.InReplyTo)
		hdr("References", v.InReplyTo)
	}
	hdr("Auto-Submitted", "auto-replied (vacation)")
	hdr("Precedence", "bulk")
	hdr("X-DBMail-Vacation", "yes")
	hdr("MIME-Version", "1.0")
	if v.Mime {
		b.WriteString(crlf(strings.TrimLeft(v.Reason, "\r\n")))
		return b.Bytes()
	}
	body := crlf(v.Reason)
	if !strings.HasSuffix(body, "\r\n") {
		body += "\r\n"
	}
	hdr("Content-Type", "text/plain; charset=utf-8")
	if isASCII(body) && maxLineLen(body) <= 998 {
		hdr("Content-Transfer-Encoding", "7bit")
		b.WriteString("\r\n")
		b.WriteString(body)
		return b.Bytes()
	}
	hdr("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	w := quotedprintable.NewWriter(&b)
	w.Write([]byte(body))
	w.Close()
	return b.Bytes()
}

// encodeAddressHeader RFC 2047-encodes the display name of an address.
func encodeAddressHeader(s string) string {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return s
	}
	return a.String()
}

func newMessageID() string {
	var r [12]byte
	rand.Read(r[:])
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "dbmail"
	}
	return "<" + hex.EncodeToString(r[:]) + ".vacation@" + host + ">"
}

// crlf normalises line endings to CRLF.
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func maxLineLen(s string) int {
	m := 0
	for _, l := range strings.Split(s, "\r\n") {
		m = max(m, len(l))
	}
	return m
}

// stableHandle returns the reply-cache handle of a vacation action. The
// engine derives a missing :handle from the reply's subject even when the
// script gave no :subject, so that subject ("Auto: " + the original's)
// changes with every message and each new subject would get its own reply
// within the period, against RFC 5230 §4.2 (the handle comes from the
// :subject, :from, :mime and reason *arguments*) and §4.1 (one reply per
// sender per period). When v.Handle is exactly that derivation with a
// derived subject, the subject is left out of the handle here.
func stableHandle(v sieve.Vacation, subjects []string) string {
	orig := ""
	if len(subjects) > 0 {
		orig = strings.TrimSpace(subjects[0])
	}
	derived := "Auto: " + orig
	if orig == "" {
		derived = "Automated reply"
	}
	if v.Subject != derived || v.Handle != vacationHandle(v.Reason, "0"+v.Subject, v.From, v.Mime) {
		return v.Handle
	}
	return vacationHandle(v.Reason, "0", v.From, v.Mime)
}

// vacationHandle is the engine's derivation of a handle from the
// vacation arguments (sieve/vacation.go defaultHandle).
func vacationHandle(reason, subject, from string, mime bool) string {
	b := func(x bool) string {
		if x {
			return "1"
		}
		return "0"
	}
	h := sha256.New()
	for _, s := range []string{reason, subject, b(from != "") + from, b(mime)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
