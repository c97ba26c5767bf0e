package conf

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
)

// field is one settable leaf of Conf.
type field struct {
	path string // JSON path, for errors
	env  string
	flag string
	help string
	v    reflect.Value
}

func fields(c *Conf) []field {
	var out []field
	var walk func(v reflect.Value, prefix string)
	walk = func(v reflect.Value, prefix string) {
		t := v.Type()
		for i := range t.NumField() {
			sf := t.Field(i)
			name := strings.Split(sf.Tag.Get("json"), ",")[0]
			path := name
			if prefix != "" {
				path = prefix + "." + name
			}
			fv := v.Field(i)
			if sf.Type.Kind() == reflect.Struct {
				walk(fv, path)
				continue
			}
			out = append(out, field{path: path, env: sf.Tag.Get("env"), flag: sf.Tag.Get("flag"), help: sf.Tag.Get("help"), v: fv})
		}
	}
	walk(reflect.ValueOf(c).Elem(), "")
	return out
}

// set assigns text to a leaf field.
func (f field) set(s string) error {
	switch p := f.v.Addr().Interface().(type) {
	case *string:
		*p = s
	case *Secret:
		*p = Secret(s)
	case *Duration:
		return p.Set(s)
	case *bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("want true or false")
		}
		*p = b
	case *int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("want an integer")
		}
		*p = n
	case *int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("want an integer")
		}
		*p = n
	case *[]string:
		*p = splitList(s)
	case *[]Secret:
		*p = nil
		for _, x := range splitList(s) {
			*p = append(*p, Secret(x))
		}
	default:
		return fmt.Errorf("unsupported config type %T", p)
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// flagValue records a flag's text; Load applies it after file and env.
// def is the default shown by -h.
type flagValue struct {
	isBool bool
	set    *map[string]string
	name   string
	def    string
}

func (f flagValue) String() string { return f.def }
func (f flagValue) Set(s string) error {
	(*f.set)[f.name] = s
	return nil
}
func (f flagValue) IsBoolFlag() bool { return f.isBool }

// Load builds the configuration: Default, then the JSON file named by
// --config or LOCKSTREAM_CONFIG, then LOCKSTREAM_* variables from getenv,
// then flags from args. It validates the result.
func Load(name string, args []string, getenv func(string) string, stderr io.Writer) (Conf, error) {
	c := Default()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// The flag package prints a parse error before the usage; Load prints
	// the usage itself and returns the error for the caller to print
	// last, where the operator sees it.
	fs.SetOutput(io.Discard)
	cfgFile := fs.String("config", getenv("LOCKSTREAM_CONFIG"), "JSON configuration file (env LOCKSTREAM_CONFIG)")
	given := map[string]string{}
	all := fields(&c)
	for _, f := range all {
		if f.flag == "" {
			continue
		}
		_, isBool := f.v.Interface().(bool)
		fs.Var(flagValue{isBool: isBool, set: &given, name: f.flag, def: f.defaultText()},
			f.flag, f.help+" (env "+f.env+", config key "+f.path+")")
	}
	if err := fs.Parse(args); err != nil {
		fs.SetOutput(stderr)
		fmt.Fprintf(stderr, "usage: %s [flags]\n\nEvery flag also has an environment variable and a key in the JSON file\ngiven by --config; flags beat the environment, which beats the file.\n\n", name)
		fs.PrintDefaults()
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr)
		}
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *cfgFile != "" {
		b, err := os.ReadFile(*cfgFile)
		if err != nil {
			return c, fmt.Errorf("read config file: %w", err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return c, fmt.Errorf("config file %s: %w", *cfgFile, err)
		}
	}
	for _, f := range all {
		if f.env == "" {
			continue
		}
		if s := getenv(f.env); s != "" {
			if err := f.set(s); err != nil {
				return c, &FieldError{Field: f.path, Value: redactIfSecret(f, s), Msg: "from " + f.env + ": " + err.Error()}
			}
		}
	}
	for _, f := range all {
		if s, ok := given[f.flag]; ok {
			if err := f.set(s); err != nil {
				return c, &FieldError{Field: f.path, Value: redactIfSecret(f, s), Msg: "from --" + f.flag + ": " + err.Error()}
			}
		}
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	return c, nil
}

func redactIfSecret(f field, s string) string {
	switch f.v.Interface().(type) {
	case Secret, []Secret:
		return "[redacted]"
	}
	return s
}

// defaultText is the field's current value as flag text, for -h: "" for
// secrets (never shown) and for empty values.
func (f field) defaultText() string {
	switch v := f.v.Interface().(type) {
	case Secret, []Secret:
		return ""
	case string:
		return v
	case []string:
		return strings.Join(v, ",")
	case bool:
		if v {
			return "true"
		}
		return ""
	case Duration:
		if v == 0 {
			return ""
		}
		return v.String()
	case int, int64:
		return fmt.Sprint(v)
	}
	return ""
}

// Key documents one setting: its JSON key in the configuration file (a
// dotted path), environment variable, flag, default and help text.
type Key struct {
	JSON, Env, Flag, Default, Help string
}

// Keys lists every setting in declaration order, with Default's values.
func Keys() []Key {
	c := Default()
	var out []Key
	for _, f := range fields(&c) {
		out = append(out, Key{JSON: f.path, Env: f.env, Flag: f.flag, Default: f.defaultText(), Help: f.help})
	}
	return out
}

// KeysMarkdown renders Keys as a Markdown table (the README's and
// "lockstream config keys"), so the documentation is generated from the
// struct tags and cannot drift from them.
func KeysMarkdown() string {
	var b strings.Builder
	b.WriteString("| JSON key | env | flag | default | meaning |\n|---|---|---|---|---|\n")
	for _, k := range Keys() {
		def := k.Default
		if def != "" {
			def = "`" + def + "`"
		}
		help := strings.NewReplacer("|", "\\|", "<", "\\<", ">", "\\>").Replace(k.Help)
		fmt.Fprintf(&b, "| `%s` | `%s` | `--%s` | %s | %s |\n", k.JSON, k.Env, k.Flag, def, help)
	}
	return b.String()
}
