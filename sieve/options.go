package sieve

import "sort"

// Extension capability names (RFC 5228 §6 and each extension's
// "Capability Identifier" section).
const (
	ExtBody             = "body"                       // RFC 5173
	ExtAsciiNumeric     = "comparator-i;ascii-numeric" // RFC 4790 §9.1
	ExtCopy             = "copy"                       // RFC 3894
	ExtDate             = "date"                       // RFC 5260
	ExtDuplicate        = "duplicate"                  // RFC 7352
	ExtEncodedCharacter = "encoded-character"          // RFC 5228 §2.4.2.4
	ExtEnvelope         = "envelope"                   // RFC 5228 §5.4
	ExtEreject          = "ereject"                    // RFC 5429
	ExtFileinto         = "fileinto"                   // RFC 5228 §4.1
	ExtImap4flags       = "imap4flags"                 // RFC 5232
	ExtInclude          = "include"                    // RFC 6609
	ExtIndex            = "index"                      // RFC 5260 §6
	ExtMailbox          = "mailbox"                    // RFC 5490
	ExtRegex            = "regex"                      // draft-ietf-sieve-regex
	ExtReject           = "reject"                     // RFC 5429
	ExtRelational       = "relational"                 // RFC 5231
	ExtSubaddress       = "subaddress"                 // RFC 5233
	ExtVacation         = "vacation"                   // RFC 5230
	ExtVacationSeconds  = "vacation-seconds"           // RFC 6131
	ExtVariables        = "variables"                  // RFC 5229
	ExtEnotify          = "enotify"                    // RFC 5435, off unless Options.Notify
)

// allExtensions is every extension this engine implements.
var allExtensions = []string{
	ExtBody, ExtAsciiNumeric, ExtCopy, ExtDate, ExtDuplicate, ExtEncodedCharacter,
	ExtEnvelope, ExtEreject, ExtFileinto, ExtImap4flags, ExtInclude, ExtIndex,
	ExtMailbox, ExtRegex, ExtReject, ExtRelational, ExtSubaddress, ExtVacation,
	ExtVacationSeconds, ExtVariables, ExtEnotify,
}

// Default limits.
const (
	DefaultMaxScriptSize   = 1 << 20
	DefaultMaxNesting      = 32
	DefaultMaxSteps        = 100000
	DefaultMaxRedirects    = 4
	DefaultMaxActions      = 64
	DefaultMaxIncludeDepth = 10
	DefaultMaxVariableSize = 16 << 10
	DefaultMaxRegexLen     = 4096
	DefaultDuplicatePeriod = 7 * 24 * 3600 // seconds (RFC 7352 §3.4 leaves it to the implementation)
	DefaultVacationDays    = 7
	DefaultVacationMinDays = 1
	DefaultVacationMaxDays = 30 // DBMail clamps :days to 1..30 (dbmail.md 6.6)
)

// Options configure which extensions a script may require and the limits
// it runs under. The zero value enables every extension except those
// listed in Disabled and uses the default limits.
type Options struct {
	// Disabled lists extensions that may not be required, e.g. "vacation"
	// when [DELIVERY] SIEVE_VACATION is off. Disabling "vacation" also
	// disables "vacation-seconds"; disabling "date" disables "index".
	Disabled []string
	// Notify enables "enotify" (RFC 5435, mailto method RFC 5436), which
	// DBMail registers only with [DELIVERY] SIEVE_NOTIFY = yes. Notify
	// actions are reported in the Result; the caller logs them.
	Notify bool

	MaxScriptSize   int   // bytes; default 1 MiB
	MaxNesting      int   // block and test nesting depth
	MaxSteps        int   // commands plus tests evaluated per run
	MaxRedirects    int   // redirect actions per run
	MaxActions      int   // actions per run
	MaxIncludeDepth int   // nested include levels (RFC 6609 §3.2)
	MaxVariableSize int   // bytes a variable value is truncated to (RFC 5229 §3)
	MaxRegexLen     int   // bytes of a :regex key
	DuplicatePeriod int64 // default duplicate :seconds

	// Vacation :days bounds and default (RFC 5230 §4.1 lets the site
	// choose). :seconds (RFC 6131) is clamped to the same range in seconds
	// except that 0 stays 0.
	VacationDefaultDays int
	VacationMinDays     int
	VacationMaxDays     int
}

// withDefaults returns o with zero fields replaced by the defaults.
func (o Options) withDefaults() Options {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.MaxScriptSize, DefaultMaxScriptSize)
	def(&o.MaxNesting, DefaultMaxNesting)
	def(&o.MaxSteps, DefaultMaxSteps)
	def(&o.MaxRedirects, DefaultMaxRedirects)
	def(&o.MaxActions, DefaultMaxActions)
	def(&o.MaxIncludeDepth, DefaultMaxIncludeDepth)
	def(&o.MaxVariableSize, DefaultMaxVariableSize)
	def(&o.MaxRegexLen, DefaultMaxRegexLen)
	def(&o.VacationDefaultDays, DefaultVacationDays)
	def(&o.VacationMinDays, DefaultVacationMinDays)
	def(&o.VacationMaxDays, DefaultVacationMaxDays)
	if o.DuplicatePeriod <= 0 {
		o.DuplicatePeriod = DefaultDuplicatePeriod
	}
	return o
}

// enabled reports whether ext may be required under o.
func (o Options) enabled(ext string) bool {
	known := false
	for _, e := range allExtensions {
		if e == ext {
			known = true
			break
		}
	}
	if !known || ext == ExtEnotify && !o.Notify {
		return false
	}
	for _, d := range o.Disabled {
		d = lowerASCII(d)
		if d == ext || d == ExtVacation && ext == ExtVacationSeconds || d == ExtDate && ext == ExtIndex {
			return false
		}
	}
	return true
}

// Extensions returns the sorted list of extensions a script may require
// under opt: the value of the ManageSieve "SIEVE" capability (RFC 5804
// §1.7), space-separated by the caller.
func Extensions(opt Options) []string {
	var out []string
	for _, e := range allExtensions {
		if opt.enabled(e) {
			out = append(out, e)
		}
	}
	sort.Strings(out)
	return out
}
