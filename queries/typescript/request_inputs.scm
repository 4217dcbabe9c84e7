; Places where request input enters a handler; Python decides by receiver.
;   await req.json()   await request.formData()   formData.get("title")
;   searchParams.get("q")   req.nextUrl.searchParams.get("q")   c.req.param("id") (Hono)
(call_expression
  function: (member_expression
    object: (_) @input.object
    property: (property_identifier) @input.method
    (#any-of? @input.method "json" "formData" "text" "get" "getAll" "param" "query"))) @input.call

;   req.body   req.query   ctx.params
(member_expression
  object: (_) @input.object
  property: (property_identifier) @input.property
  (#any-of? @input.property "body" "query" "params" "searchParams")) @input.member

;   readBody(event)   getQuery(event)   getRouterParam(event, "id")   (h3: Nuxt / Nitro)
(call_expression
  function: (identifier) @input.helper
  (#any-of? @input.helper "readBody" "readRawBody" "readFormData" "readMultipartFormData" "getQuery" "getRouterParam" "getRouterParams")) @input.helper_call
