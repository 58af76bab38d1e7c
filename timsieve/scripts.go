package timsieve

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/sieve"
)

// maxNameRunes is the longest script name: dbmail_sievescripts.name is
// VARCHAR(100) on PostgreSQL (spec 1.4).
const maxNameRunes = 100

// ValidName reports whether name may name a script (RFC 5804 §1.6: UTF-8
// without control characters U+0000–U+001F, U+007F–U+009F, U+2028 and
// U+2029), is not empty, fits the column, and is not DBMail's temporary
// validation name.
func ValidName(name string) bool {
	if name == "" || name == db.SieveTempScript || !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxNameRunes {
		return false
	}
	for _, r := range name {
		if r <= 0x1f || r >= 0x7f && r <= 0x9f || r == 0x2028 || r == 0x2029 {
			return false
		}
	}
	return true
}

// CheckScript validates src with the engine as delivery will run it; the
// error text carries line:column (spec 6.5 "Script error: …").
func CheckScript(name, src string, opt sieve.Options) error {
	if !utf8.ValidString(src) {
		return errors.New("script is not valid UTF-8")
	}
	_, err := sieve.Parse(name, []byte(src), opt)
	return err
}

func (s *session) badName() {
	s.c.Write(response("NO", "", "Invalid script name."))
}

// fits reports whether a script of size bytes named name fits the user's
// maxsieve_size (0 = unlimited), counting the other scripts.
func (s *session) fits(ctx context.Context, d *db.DB, name string, size int64) (bool, error) {
	if size > s.p.maxScript() {
		return false, nil
	}
	max, used, err := d.SieveSpace(ctx, s.user.ID, name)
	if err != nil {
		return false, err
	}
	return max <= 0 || used+size <= max, nil
}

// cmdHaveSpace: RFC 5804 §2.5, HAVESPACE name size.
func (s *session) cmdHaveSpace(args []Arg) bool {
	if len(args) != 2 || !args[0].IsString() || args[1].Kind != Number {
		return false
	}
	size, err := strconv.ParseInt(args[1].Value, 10, 64)
	if err != nil {
		return false
	}
	if !ValidName(args[0].Value) {
		s.badName()
		return true
	}
	var room bool
	ok, err := s.query(func(ctx context.Context, d *db.DB) error {
		var err error
		room, err = s.fits(ctx, d, args[0].Value, size)
		return err
	})
	switch {
	case !ok:
	case err != nil:
		s.c.Write(response("NO", "", "Cannot check the quota."))
	case !room:
		s.c.Write(response("NO", "QUOTA/MAXSIZE", "Quota exceeded."))
	default:
		s.c.Write(response("OK", "", "Putscript would succeed."))
	}
	return true
}

// cmdPutScript: RFC 5804 §2.6, PUTSCRIPT name script. The script is
// validated first; replacing a script keeps its active state, a new one
// is inactive (spec 6.5).
func (s *session) cmdPutScript(args []Arg) bool {
	v, ok := strArgs(args, 2)
	if !ok {
		return false
	}
	name, src := v[0], v[1]
	if !ValidName(name) {
		s.badName()
		return true
	}
	if err := CheckScript(name, src, s.p.Sieve); err != nil {
		s.c.Write(response("NO", "", "Script error: "+err.Error()))
		return true
	}
	var room bool
	ok, err := s.query(func(ctx context.Context, d *db.DB) error {
		var err error
		if room, err = s.fits(ctx, d, name, int64(len(src))); err != nil || !room {
			return err
		}
		_, err = d.PutSieveScript(ctx, s.user.ID, name, src)
		return err
	})
	switch {
	case !ok:
	case err != nil:
		s.log.Error("managesieve putscript", "user", s.user.Name, "script", name, "err", err)
		s.c.Write(response("NO", "", "Script could not be stored."))
	case !room:
		s.c.Write(response("NO", "QUOTA/MAXSIZE", "Quota exceeded."))
	default:
		s.c.Write(response("OK", "", "Script successfully received."))
	}
	return true
}

// cmdCheckScript: RFC 5804 §2.12.
func (s *session) cmdCheckScript(args []Arg) bool {
	v, ok := strArgs(args, 1)
	if !ok {
		return false
	}
	if err := CheckScript("checkscript", v[0], s.p.Sieve); err != nil {
		s.c.Write(response("NO", "", "Script error: "+err.Error()))
		return true
	}
	s.c.Write(response("OK", "", "Script is valid."))
	return true
}

// cmdListScripts: RFC 5804 §2.7.
func (s *session) cmdListScripts(args []Arg) bool {
	if len(args) != 0 {
		return false
	}
	var list []db.SieveScript
	ok, err := s.query(func(ctx context.Context, d *db.DB) error {
		var err error
		list, err = d.SieveScripts(ctx, s.user.ID)
		return err
	})
	if !ok {
		return true
	}
	if err != nil {
		s.c.Write(response("NO", "", "Cannot list scripts."))
		return true
	}
	var b []byte
	for _, sc := range list {
		b = appendString(b, sc.Name)
		if sc.Active {
			b = append(b, " ACTIVE"...)
		}
		b = append(b, "\r\n"...)
	}
	s.c.Write(b)
	s.c.Write(response("OK", "", "Listscripts completed."))
	return true
}

// cmdSetActive: RFC 5804 §2.8; "" deactivates every script.
func (s *session) cmdSetActive(args []Arg) bool {
	v, ok := strArgs(args, 1)
	if !ok {
		return false
	}
	name := v[0]
	if name != "" && !ValidName(name) {
		s.badName()
		return true
	}
	var n int64
	ok, err := s.query(func(ctx context.Context, d *db.DB) error {
		if name == "" {
			var err error
			n, err = d.DeactivateSieveScripts(ctx, s.user.ID, "")
			return err
		}
		return d.ActivateSieveScript(ctx, s.user.ID, name)
	})
	switch {
	case !ok:
	case errors.Is(err, db.ErrNotFound):
		s.c.Write(response("NO", "NONEXISTENT", "Script not found."))
	case err != nil:
		s.c.Write(response("NO", "", "Cannot change the active script."))
	case name != "":
		s.c.Write(response("OK", "", "Script activated."))
	case n > 0:
		s.c.Write(response("OK", "", "All scripts deactivated."))
	default:
		s.c.Write(response("OK", "", "No scripts are active at this time."))
	}
	return true
}

// cmdGetScript: RFC 5804 §2.9; the script is sent as a literal.
func (s *session) cmdGetScript(args []Arg) bool {
	v, ok := strArgs(args, 1)
	if !ok {
		return false
	}
	var src string
	ok, err := s.query(func(ctx context.Context, d *db.DB) error {
		var err error
		src, _, err = d.SieveScriptText(ctx, s.user.ID, v[0])
		return err
	})
	switch {
	case !ok:
	case errors.Is(err, db.ErrNotFound) || v[0] == db.SieveTempScript:
		s.c.Write(response("NO", "NONEXISTENT", "Script not found."))
	case err != nil:
		s.c.Write(response("NO", "", "Cannot read the script."))
	default:
		s.c.Write(fmt.Appendf(nil, "{%d}\r\n", len(src)))
		s.c.Write([]byte(src))
		s.c.Write([]byte("\r\n"))
		s.c.Write(response("OK", "", "Getscript completed."))
	}
	return true
}

// cmdDeleteScript: RFC 5804 §2.10; the active script cannot be deleted
// (DBMail allowed it, spec 9.5 item 26).
func (s *session) cmdDeleteScript(args []Arg) bool {
	v, ok := strArgs(args, 1)
	if !ok {
		return false
	}
	active := false
	ok, err := s.query(func(ctx context.Context, d *db.DB) error {
		var err error
		if _, active, err = d.SieveScriptText(ctx, s.user.ID, v[0]); err != nil || active {
			return err
		}
		return d.DeleteSieveScript(ctx, s.user.ID, v[0])
	})
	switch {
	case !ok:
	case errors.Is(err, db.ErrNotFound) || v[0] == db.SieveTempScript:
		s.c.Write(response("NO", "NONEXISTENT", "Script not found."))
	case err != nil:
		s.c.Write(response("NO", "", "Cannot delete the script."))
	case active:
		s.c.Write(response("NO", "ACTIVE", "You may not delete an active script."))
	default:
		s.c.Write(response("OK", "", "Script deleted."))
	}
	return true
}

// cmdRenameScript: RFC 5804 §2.11.1.
func (s *session) cmdRenameScript(args []Arg) bool {
	v, ok := strArgs(args, 2)
	if !ok {
		return false
	}
	if !ValidName(v[1]) {
		s.badName()
		return true
	}
	ok, err := s.query(func(ctx context.Context, d *db.DB) error {
		return d.RenameSieveScript(ctx, s.user.ID, v[0], v[1])
	})
	switch {
	case !ok:
	case errors.Is(err, db.ErrNotFound) || v[0] == db.SieveTempScript:
		s.c.Write(response("NO", "NONEXISTENT", "Script not found."))
	case errors.Is(err, db.ErrExists):
		s.c.Write(response("NO", "ALREADYEXISTS", "A script with that name already exists."))
	case err != nil:
		s.c.Write(response("NO", "", "Cannot rename the script."))
	default:
		s.c.Write(response("OK", "", "Script renamed."))
	}
	return true
}
