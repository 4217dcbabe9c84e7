; Calls that may register a request handler; Python checks the verb and the path.
;   app.post("/notes", auth, async (req, res) => {})   app.route("/x").get(fn)
(call_expression
  function: (member_expression
    property: (property_identifier) @_verb
    (#match? @_verb "^(get|post|put|patch|delete|all|use|head|options)$"))
  arguments: (arguments)) @registration
