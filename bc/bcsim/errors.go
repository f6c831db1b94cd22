package bcsim

import "net/http"

const v3ErrorType = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"

// v2Message is both a V2 error entry and the body of a 207 answer.
type v2Message struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

type v3Error struct {
	Status int               `json:"status"`
	Title  string            `json:"title"`
	Type   string            `json:"type"`
	Errors map[string]string `json:"errors,omitempty"`
}

func v2Fail(status int, message string) reply {
	return reply{status: status, body: []v2Message{{Status: status, Message: message}}}
}

func v3Fail(status int, title string, errs map[string]string) reply {
	return reply{status: status, body: v3Error{Status: status, Title: title, Type: v3ErrorType, Errors: errs}}
}

// fail answers in the error format of the endpoint's API version.
func (e endpoint) fail(status int, message string) reply {
	if e.v3() {
		return v3Fail(status, message, nil)
	}
	return v2Fail(status, message)
}

func v2NotFound() reply {
	return v2Fail(http.StatusNotFound, "The requested resource was not found.")
}
