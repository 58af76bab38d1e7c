package delivery

import (
	"bytes"
	"context"
	"crypto/rand"
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
	d := s.DB
	if env.DB != nil {
		d = env.DB
	}
	ok, err := d.ClaimReply(ctx, v.To, fromAddr, v.Handle, time.Duration(v.Seconds)*time.Second, s.now())
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
