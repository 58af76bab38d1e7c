package imap4

import (
	"time"
)

// monthNumber maps date-month (RFC 3501 §9, case-insensitive) to 1..12.
func monthNumber(s string) int {
	switch upperASCII(s) {
	case "JAN":
		return 1
	case "FEB":
		return 2
	case "MAR":
		return 3
	case "APR":
		return 4
	case "MAY":
		return 5
	case "JUN":
		return 6
	case "JUL":
		return 7
	case "AUG":
		return 8
	case "SEP":
		return 9
	case "OCT":
		return 10
	case "NOV":
		return 11
	case "DEC":
		return 12
	}
	return 0
}

// digits consumes exactly n ASCII digits.
func (r *reader) digits(n int, what string) (int, error) {
	if r.pos+n > len(r.b) {
		return 0, r.errorf("invalid %s", what)
	}
	v := 0
	for i := 0; i < n; i++ {
		c := r.b[r.pos+i]
		if c < '0' || c > '9' {
			return 0, r.errorf("invalid %s", what)
		}
		v = v*10 + int(c-'0')
	}
	r.pos += n
	return v, nil
}

// monthYear parses "-" date-month "-" date-year.
func (r *reader) monthYear() (int, int, error) {
	if err := r.expect('-'); err != nil {
		return 0, 0, err
	}
	if r.pos+3 > len(r.b) {
		return 0, 0, r.errorf("invalid month")
	}
	month := monthNumber(string(r.b[r.pos : r.pos+3]))
	if month == 0 {
		return 0, 0, r.errorf("invalid month %q", r.b[r.pos:r.pos+3])
	}
	r.pos += 3
	if err := r.expect('-'); err != nil {
		return 0, 0, err
	}
	year, err := r.digits(4, "year")
	return month, year, err
}

// validDay checks that day exists in month/year (time.Date would roll over).
func validDay(day, month, year int) bool {
	if day < 1 {
		return false
	}
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC).Day() == day
}

// dateTime parses date-time = DQUOTE date-day-fixed "-" date-month "-"
// date-year SP time SP zone DQUOTE (RFC 3501 §9).
func (r *reader) dateTime() (time.Time, error) {
	if err := r.expect('"'); err != nil {
		return time.Time{}, err
	}
	// date-day-fixed is SP DIGIT / 2DIGIT; a single digit without the
	// space is accepted too, as clients send it.
	var day int
	var err error
	switch {
	case r.peek() == ' ':
		r.pos++
		day, err = r.digits(1, "day")
	case r.pos+1 < len(r.b) && r.b[r.pos+1] == '-':
		day, err = r.digits(1, "day")
	default:
		day, err = r.digits(2, "day")
	}
	if err != nil {
		return time.Time{}, err
	}
	month, year, err := r.monthYear()
	if err != nil {
		return time.Time{}, err
	}
	if err := r.sp(); err != nil {
		return time.Time{}, err
	}
	var hms [3]int
	for i := range hms {
		if i > 0 {
			if err := r.expect(':'); err != nil {
				return time.Time{}, err
			}
		}
		if hms[i], err = r.digits(2, "time"); err != nil {
			return time.Time{}, err
		}
	}
	if hms[0] > 23 || hms[1] > 59 || hms[2] > 60 {
		return time.Time{}, r.errorf("invalid time of day")
	}
	if err := r.sp(); err != nil {
		return time.Time{}, err
	}
	sign := r.peek()
	if sign != '+' && sign != '-' {
		return time.Time{}, r.errorf("invalid time zone")
	}
	r.pos++
	hh, err := r.digits(2, "time zone")
	if err != nil {
		return time.Time{}, err
	}
	mm, err := r.digits(2, "time zone")
	if err != nil {
		return time.Time{}, err
	}
	if mm > 59 {
		return time.Time{}, r.errorf("invalid time zone")
	}
	if err := r.expect('"'); err != nil {
		return time.Time{}, err
	}
	if !validDay(day, month, year) {
		return time.Time{}, r.errorf("invalid date")
	}
	off := (hh*60 + mm) * 60
	if sign == '-' {
		off = -off
	}
	zone := time.FixedZone("", off)
	return time.Date(year, time.Month(month), day, hms[0], hms[1], hms[2], 0, zone), nil
}

// date parses date = date-text / DQUOTE date-text DQUOTE with date-text =
// date-day "-" date-month "-" date-year, date-day = 1*2DIGIT (RFC 3501 §9).
// The result is midnight UTC of that day.
func (r *reader) date() (time.Time, error) {
	quoted := r.peek() == '"' && !r.eof()
	if quoted {
		r.pos++
	}
	day, err := r.digits(1, "day")
	if err != nil {
		return time.Time{}, err
	}
	if c := r.peek(); c >= '0' && c <= '9' && !r.eof() {
		d2, _ := r.digits(1, "day")
		day = day*10 + d2
	}
	month, year, err := r.monthYear()
	if err != nil {
		return time.Time{}, err
	}
	if quoted {
		if err := r.expect('"'); err != nil {
			return time.Time{}, err
		}
	}
	if !validDay(day, month, year) {
		return time.Time{}, r.errorf("invalid date")
	}
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC), nil
}
