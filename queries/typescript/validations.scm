; Schema validation calls (zod and look-alikes; Python decides by the schema's origin).
;   ContentSchema.parse(await req.json())   schema.safeParseAsync(body)
(call_expression
  function: (member_expression
    object: (_) @validate.schema
    property: (property_identifier) @validate.method
    (#any-of? @validate.method "parse" "safeParse" "parseAsync" "safeParseAsync" "validate" "validateSync" "validateAsync"))
  arguments: (arguments)) @validate

; Schema-library functions given the schema and the value (Python checks the import).
;   v.parse(Schema, body)   safeParse(Schema, body)   assert(body, Struct)   Value.Check(T, body)
(call_expression
  function: [
    (identifier) @validate_fn.name
    (member_expression property: (property_identifier) @validate_fn.name)
  ] @validate_fn.callee
  (#any-of? @validate_fn.name "parse" "safeParse" "parseAsync" "safeParseAsync" "assert" "create" "validate" "is" "Check" "Parse" "Decode")
  arguments: (arguments . (_) @validate_fn.first . (_) @validate_fn.second)) @validate_fn

; tRPC procedure inputs.
;   publicProcedure.input(z.object({ id: z.string() })).query(...)
(call_expression
  function: (member_expression
    property: (property_identifier) @_input
    (#eq? @_input "input"))
  arguments: (arguments . (_) @trpc_input.schema)) @trpc_input

; An HMAC of a value with a secret, the way a webhook handler signs the raw body to compare
; with the request's signature: crypto.createHmac("sha256", secret).update(body)
(call_expression
  function: (member_expression
    object: (call_expression
      function: [(identifier) (member_expression)] @_hmac)
    property: (property_identifier) @_update
    (#eq? @_update "update"))
  (#match? @_hmac "createHmac$")) @hmac_update
