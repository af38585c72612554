package importer

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestNewCSVReader(t *testing.T) {
	long := strings.Repeat("x", 5000) // a header longer than the sniffed head
	tests := []struct {
		name string
		in   string
		sep  rune
		want [][]string
	}{
		{"commas", "a,b\n1,2\n", ',', [][]string{{"a", "b"}, {"1", "2"}}},
		{"semicolons with decimal commas", "code;taux\n31;8,2\n", ';', [][]string{{"code", "taux"}, {"31", "8,2"}}},
		{"BOM skipped", "\ufeffcode;taux\n31;8\n", ';', [][]string{{"code", "taux"}, {"31", "8"}}},
		{"header decides, not the data", "a,b\n1;2;3,4\n", ',', [][]string{{"a", "b"}, {"1;2;3", "4"}}},
		{"tie goes to commas", "a;b,c\n", ',', [][]string{{"a;b", "c"}}},
		{"no newline", "a;b", ';', [][]string{{"a", "b"}}},
		// Only the first 4 KiB of a header are looked at.
		{"header longer than the head", "a;" + long + "," + long + "\n1;2\n", ';', [][]string{{"a", long + "," + long}, {"1", "2"}}},
		{"empty", "", ',', nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := newCSVReader(bytes.NewReader([]byte(tc.in)))
			if err != nil {
				t.Fatal(err)
			}
			r.FieldsPerRecord = -1
			if r.Comma != tc.sep {
				t.Errorf("separator %q, want %q", r.Comma, tc.sep)
			}
			got, err := r.ReadAll()
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("records %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// failingReader fails its reads or its seeks.
type failingReader struct{ read, seek error }

func (f failingReader) Read([]byte) (int, error)       { return 0, f.read }
func (f failingReader) Seek(int64, int) (int64, error) { return 0, f.seek }

func TestNewCSVReaderErrors(t *testing.T) {
	cause := errors.New("disk on fire")
	for _, f := range []failingReader{{read: cause}, {read: io.EOF, seek: cause}} {
		if _, err := newCSVReader(f); !errors.Is(err, cause) {
			t.Errorf("newCSVReader(%+v) = %v, want %v", f, err, cause)
		}
	}
}
