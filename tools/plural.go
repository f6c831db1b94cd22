package tools

import "fmt"

// plural counts n of a thing named by a noun whose plural takes an s:
// "1 customer group", "2 customer groups".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
