package delivery

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/url"
	"os/exec"
	"strings"
	"time"
)

// Mailer submits outgoing mail: forwards, redirects, vacation replies and
// notifications (spec 6.6 "Outgoing mail").
type Mailer interface {
	Send(ctx context.Context, from string, to []string, msg []byte) error
}

// NewMailer picks the transport DBMail would: smtp_host when the key is
// present, else the sendmail command.
func NewMailer(sendmail string, smtpPresent bool, smtpURL, smtpUser, smtpPassword string) Mailer {
	if smtpPresent && smtpURL != "" {
		return &SMTPMailer{URL: smtpURL, User: smtpUser, Password: smtpPassword}
	}
	return &SendmailMailer{Command: sendmail}
}

// SendmailMailer runs `<sendmail> -i -f <from> <to>` through the shell with
// the addresses shell-quoted, the message on stdin.
type SendmailMailer struct {
	Command string
}

// ShellQuote quotes s for /bin/sh.
func ShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func (m *SendmailMailer) Send(ctx context.Context, from string, to []string, msg []byte) error {
	if strings.TrimSpace(m.Command) == "" {
		return errors.New("no sendmail command configured ([DBMAIL] sendmail)")
	}
	cmd := m.Command + " -i -f " + ShellQuote(from)
	for _, t := range to {
		cmd += " " + ShellQuote(t)
	}
	return runShell(ctx, cmd, msg)
}

func runShell(ctx context.Context, command string, stdin []byte) error {
	c := exec.CommandContext(ctx, "/bin/sh", "-c", command)
	c.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	if err := c.Run(); err != nil {
		return fmt.Errorf("run %q: %w: %s", command, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// SMTPMailer submits through an SMTP server named by a URL
// (`smtp://host:587`, `smtps://host:465`), with optional AUTH.
type SMTPMailer struct {
	URL            string
	User, Password string
}

func (m *SMTPMailer) Send(ctx context.Context, from string, to []string, msg []byte) error {
	u, err := url.Parse(m.URL)
	if err != nil || u.Host == "" {
		// A bare host name is accepted as smtp://host:25.
		u = &url.URL{Scheme: "smtp", Host: m.URL}
	}
	host := u.Host
	if u.Port() == "" {
		if u.Scheme == "smtps" {
			host += ":465"
		} else {
			host += ":25"
		}
	}
	d := net.Dialer{Timeout: 30 * time.Second}
	var conn net.Conn
	if u.Scheme == "smtps" {
		conn, err = tls.DialWithDialer(&d, "tcp", host, &tls.Config{ServerName: u.Hostname()})
	} else {
		conn, err = d.DialContext(ctx, "tcp", host)
	}
	if err != nil {
		return fmt.Errorf("connect to smtp %s: %w", host, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	} else {
		conn.SetDeadline(time.Now().Add(5 * time.Minute))
	}
	c, err := smtp.NewClient(conn, u.Hostname())
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp %s: %w", host, err)
	}
	defer c.Close()
	if u.Scheme != "smtps" {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(&tls.Config{ServerName: u.Hostname()}); err != nil {
				return fmt.Errorf("smtp %s STARTTLS: %w", host, err)
			}
		}
	}
	if m.User != "" {
		if err := c.Auth(smtp.PlainAuth("", m.User, m.Password, u.Hostname())); err != nil {
			return fmt.Errorf("smtp %s AUTH: %w", host, err)
		}
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("smtp %s MAIL FROM: %w", host, err)
	}
	for _, t := range to {
		if err := c.Rcpt(t); err != nil {
			return fmt.Errorf("smtp %s RCPT TO %s: %w", host, t, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp %s DATA: %w", host, err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("smtp %s DATA: %w", host, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp %s DATA: %w", host, err)
	}
	return c.Quit()
}

// Forward sends msg to one alias target (spec 4.5, 6.6 step 9): an address
// through the mailer, `|cmd` to the command's stdin, `!cmd` the same
// preceded by an mbox From line.
func Forward(ctx context.Context, mailer Mailer, sender, target string, msg []byte, now time.Time) error {
	switch {
	case strings.HasPrefix(target, "|"):
		return runShell(ctx, target[1:], msg)
	case strings.HasPrefix(target, "!"):
		from := "From " + sender + "  " + now.Format("Mon Jan _2 15:04:05 2006") + "\n"
		return runShell(ctx, target[1:], append([]byte(from), msg...))
	}
	return mailer.Send(ctx, sender, []string{target}, msg)
}
