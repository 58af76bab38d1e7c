package config

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// sample is the shipped dbmail.conf (the repository's dbmail.conf.sample),
// written to a missing configuration file by Load.
//
//go:generate cp ../dbmail.conf.sample dbmail.conf.sample
//go:embed dbmail.conf.sample
var sample string

// Sample returns the text of the shipped dbmail.conf.
func Sample() string { return sample }

// Load reads the configuration file at path. A missing file is first
// created from the shipped sample, mode 0600, its parent directories 0700,
// as DBMail's config_create does (spec 5.1); an existing file is never
// overwritten.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := Create(path); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, data)
}

// Create writes the shipped sample to path, which must not exist yet
// (O_EXCL): the error then wraps fs.ErrExist.
func Create(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create config directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create config %s: %w", path, err)
	}
	if _, err := f.WriteString(sample); err != nil {
		f.Close()
		return fmt.Errorf("write config %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write config %s: %w", path, err)
	}
	return nil
}
