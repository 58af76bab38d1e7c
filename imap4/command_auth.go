package imap4

import (
	"encoding/base64"
	"errors"
	"fmt"
)

// LoginArgs: LOGIN SP userid SP password (RFC 3501 §6.2.3).
type LoginArgs struct {
	Username, Password string
}

// AuthenticateArgs: AUTHENTICATE SP auth-type [SP (base64 / "=")]
// (RFC 3501 §6.2.2, initial response RFC 4959 §3).
type AuthenticateArgs struct {
	Mechanism string // upper case
	// InitialResponse is the decoded SASL-IR response; HasInitialResponse
	// distinguishes an empty one ("=") from none.
	InitialResponse    []byte
	HasInitialResponse bool
}

// IDArgs: ID SP ("(" [string SP nstring *(SP string SP nstring)] ")" / NIL)
// (RFC 2971 §3.3). Params is nil for NIL.
type IDArgs struct {
	Params []IDParam
}

// IDParam is one field/value pair; Nil marks a NIL value.
type IDParam struct {
	Field string
	Value string
	Nil   bool
}

// EnableArgs: ENABLE 1*(SP capability) (RFC 5161 §3.1).
type EnableArgs struct {
	Capabilities []string // upper case
}

func (*LoginArgs) isArgs()        {}
func (*AuthenticateArgs) isArgs() {}
func (*IDArgs) isArgs()           {}
func (*EnableArgs) isArgs()       {}

func parseLogin(r *reader) (Args, error) {
	a := &LoginArgs{}
	var err error
	if err = r.sp(); err != nil {
		return nil, err
	}
	if a.Username, err = r.astring("user name"); err != nil {
		return nil, err
	}
	if err = r.sp(); err != nil {
		return nil, err
	}
	if a.Password, err = r.astring("password"); err != nil {
		return nil, err
	}
	return a, nil
}

func parseAuthenticate(r *reader) (Args, error) {
	if err := r.sp(); err != nil {
		return nil, err
	}
	mech, err := r.keyword("authentication mechanism")
	if err != nil {
		return nil, err
	}
	a := &AuthenticateArgs{Mechanism: mech}
	if !r.maybeSP() {
		return a, nil
	}
	ir := r.span(isBase64Char)
	if ir == "" {
		return nil, r.errorf("expected initial response, got %s", r.what())
	}
	a.HasInitialResponse = true
	if ir == "=" {
		a.InitialResponse = []byte{}
		return a, nil
	}
	if a.InitialResponse, err = base64.StdEncoding.DecodeString(ir); err != nil {
		return nil, r.errorf("invalid base64 initial response")
	}
	return a, nil
}

func isBase64Char(c byte) bool {
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '='
}

// ErrAuthCancelled is returned by AuthResponse for the "*" line that
// cancels an AUTHENTICATE exchange (RFC 3501 §6.2.2).
var ErrAuthCancelled = errors.New("imap4: authentication cancelled by client")

// AuthResponse decodes the line of the last EventAuthResponse: base64
// data, ErrAuthCancelled for "*", or an error for invalid base64.
func (p *Parser) AuthResponse() ([]byte, error) {
	line := p.line
	if len(line) == 1 && line[0] == '*' {
		return nil, ErrAuthCancelled
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(line)))
	n, err := base64.StdEncoding.Decode(out, line)
	if err != nil {
		return nil, fmt.Errorf("imap4: invalid base64 in authentication response: %w", err)
	}
	return out[:n], nil
}

func parseID(r *reader) (Args, error) {
	if err := r.sp(); err != nil {
		return nil, err
	}
	a := &IDArgs{}
	if r.atNIL() {
		r.pos += 3
		return a, nil
	}
	a.Params = []IDParam{}
	err := r.list(true, func() error {
		field, err := r.string("ID field name")
		if err != nil {
			return err
		}
		if err := r.sp(); err != nil {
			return err
		}
		value, ok, err := r.nstring("ID field value")
		if err != nil {
			return err
		}
		a.Params = append(a.Params, IDParam{Field: field, Value: value, Nil: !ok})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

func parseEnable(r *reader) (Args, error) {
	a := &EnableArgs{}
	for {
		if err := r.sp(); err != nil {
			if len(a.Capabilities) > 0 && r.eof() {
				return a, nil
			}
			return nil, err
		}
		c, err := r.keyword("capability")
		if err != nil {
			return nil, err
		}
		a.Capabilities = append(a.Capabilities, c)
	}
}
