package metrics

import (
	"fmt"
	"io"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Scrape is a parsed Prometheus text exposition (what GET /metrics
// answers), by metric family name: for tests and tools that read a
// running bank's metrics.
type Scrape map[string]*dto.MetricFamily

// ParseText parses the Prometheus text format.
func ParseText(r io.Reader) (Scrape, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(r)
	if err != nil {
		return nil, fmt.Errorf("metrics: parsing the exposition: %w", err)
	}
	return Scrape(fams), nil
}

// Value sums the series of the family name whose labels include every
// pair of labels ("method", "GET", …): a counter's or gauge's value, a
// histogram's count of observations. A family or series that is not there
// is 0.
func (s Scrape) Value(name string, labels ...string) float64 {
	fam := s[name]
	if fam == nil {
		return 0
	}
	var sum float64
	for _, m := range fam.GetMetric() {
		if !hasLabels(m, labels) {
			continue
		}
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		case m.Untyped != nil:
			sum += m.Untyped.GetValue()
		}
	}
	return sum
}

// Sum is the sum of a histogram's observations over the matching series
// (see Value).
func (s Scrape) Sum(name string, labels ...string) float64 {
	fam := s[name]
	if fam == nil {
		return 0
	}
	var sum float64
	for _, m := range fam.GetMetric() {
		if m.Histogram != nil && hasLabels(m, labels) {
			sum += m.Histogram.GetSampleSum()
		}
	}
	return sum
}

// LabelValues lists the values label takes in the family name.
func (s Scrape) LabelValues(name, label string) []string {
	fam := s[name]
	if fam == nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, m := range fam.GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == label && !seen[l.GetValue()] {
				seen[l.GetValue()] = true
				out = append(out, l.GetValue())
			}
		}
	}
	return out
}

func hasLabels(m *dto.Metric, pairs []string) bool {
	if len(pairs)%2 != 0 {
		panic("metrics: labels must come in name, value pairs")
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		found := false
		for _, l := range m.GetLabel() {
			if l.GetName() == pairs[i] && l.GetValue() == pairs[i+1] {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
