"""The OpenAPI 3.0 document of /api/v1/ (a contract: tests fuzz the API against it)."""

ERROR_CODES = [
    "invalid_request",
    "unsupported_media_type",
    "not_found",
    "invalid_code",
    "invalid_nonce",
    "unknown_code",
    "other_event",
    "cancelled",
    "waitlisted",
    "not_checked_in",
    "undo_too_late",
    "http_400",
    "http_403",
    "http_404",
    "http_405",
    "http_413",
    "http_429",
    "http_500",
]


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _event_id() -> dict:
    return {
        "name": "event_id",
        "in": "path",
        "required": True,
        "description": "L'étape.",
        "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647},
    }


COMMON_ERRORS = {
    "400": _error("Requête mal formée."),
    "403": _error("Ni tablette appairée pour cette étape, ni session de l'équipe."),
    "404": _error("Étape introuvable."),
}


def openapi_document() -> dict:
    person = {
        "type": "object",
        "required": ["registration_id", "first_name", "last_name", "status", "ticket_code"],
        "properties": {
            "registration_id": {"type": "integer"},
            "first_name": {"type": "string"},
            "last_name": {"type": "string"},
            "status": {"type": "string", "enum": ["confirmed", "waitlisted", "cancelled"]},
            "ticket_code": {"type": "string", "example": "7K3MQ9ZP"},
        },
    }
    check_in = {
        "type": "object",
        "nullable": True,
        "required": ["id", "checked_in_at", "scanned_at", "method", "device"],
        "properties": {
            "id": {"type": "integer"},
            "checked_in_at": {"type": "string", "format": "date-time"},
            "scanned_at": {"type": "string", "format": "date-time"},
            "method": {
                "type": "string",
                "enum": ["camera", "scanner", "search", "walk_in", "back_office"],
            },
            "device": {"type": "string", "nullable": True, "example": "Tablette 2"},
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Job Dating Tour 50+ — API",
            "version": "1.0.0",
            "description": (
                "Accueil des étapes : enregistrer les arrivées et lire l'état de l'étape. "
                "Authentification : le cookie d'une tablette appairée pour l'étape, ou la "
                "session d'un membre de l'équipe. Les requêtes qui modifient envoient du JSON. "
                'Les erreurs ont la forme {"error": {"code": ..., "message": ...}}.'
            ),
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "Ce document.",
                    "responses": {"200": {"description": "Le document OpenAPI."}},
                }
            },
            "/api/v1/events/{event_id}/check-ins": {
                "post": {
                    "operationId": "createCheckIn",
                    "summary": "Enregistrer une arrivée par code de billet (ou inscription trouvée).",
                    "description": (
                        "Idempotent par `nonce` : la même requête renvoyée (file hors connexion, "
                        "nouvel essai) reçoit la première réponse et n'écrit rien. Une personne "
                        "n'est enregistrée qu'une fois : les lectures suivantes répondent "
                        "`already_checked_in`."
                    ),
                    "parameters": [_event_id()],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/CheckInRequest"}
                            }
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Entrée enregistrée maintenant.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/CheckInResult"}
                                }
                            },
                        },
                        "200": {
                            "description": "Déjà enregistré(e) (ou réponse rejouée).",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/CheckInResult"}
                                }
                            },
                        },
                        **COMMON_ERRORS,
                        "409": _error(
                            "Refusée : autre étape, inscription annulée, liste d'attente."
                        ),
                        "415": _error("Le corps n'est pas du JSON."),
                        "422": _error("Code ou nonce illisible."),
                    },
                }
            },
            "/api/v1/events/{event_id}/check-ins/{check_in_id}": {
                "delete": {
                    "operationId": "deleteCheckIn",
                    "summary": "Annuler une arrivée (dans la minute depuis une tablette).",
                    "parameters": [
                        _event_id(),
                        {
                            "name": "check_in_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "Arrivée annulée.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["result", "person"],
                                        "properties": {
                                            "result": {"type": "string", "enum": ["undone"]},
                                            "person": {"$ref": "#/components/schemas/Person"},
                                        },
                                    }
                                }
                            },
                        },
                        **COMMON_ERRORS,
                        "409": _error("Déjà annulée, ou trop tard depuis une tablette."),
                    },
                }
            },
            "/api/v1/events/{event_id}/status": {
                "get": {
                    "operationId": "eventStatus",
                    "summary": "L'étape maintenant : attendus, arrivés, dernières arrivées.",
                    "parameters": [_event_id()],
                    "responses": {
                        "200": {
                            "description": "L'état de l'étape.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/EventStatus"}
                                }
                            },
                        },
                        **COMMON_ERRORS,
                    },
                }
            },
            "/api/v1/events/{event_id}/board": {
                "get": {
                    "operationId": "liveBoard",
                    "summary": "Le tableau de bord : arrivées, employeurs, entretiens, tables libres.",
                    "parameters": [_event_id()],
                    "responses": {
                        "200": {
                            "description": "L'étape maintenant.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Board"}
                                }
                            },
                        },
                        **COMMON_ERRORS,
                    },
                }
            },
            "/api/v1/events/{event_id}/search": {
                "get": {
                    "operationId": "searchPeople",
                    "summary": "Chercher une personne de l'étape par nom, téléphone ou code.",
                    "parameters": [
                        _event_id(),
                        {
                            "name": "q",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "maxLength": 200},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "Au plus 20 personnes, les confirmées d'abord.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["people"],
                                        "properties": {
                                            "people": {
                                                "type": "array",
                                                "items": {
                                                    "allOf": [
                                                        {"$ref": "#/components/schemas/Person"},
                                                        {
                                                            "type": "object",
                                                            "properties": {
                                                                "check_in": {
                                                                    "$ref": "#/components/schemas/CheckIn"
                                                                }
                                                            },
                                                        },
                                                    ]
                                                },
                                            }
                                        },
                                    }
                                }
                            },
                        },
                        **COMMON_ERRORS,
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string", "enum": ERROR_CODES},
                                "message": {"type": "string"},
                            },
                        },
                        "person": {"$ref": "#/components/schemas/Person"},
                    },
                },
                "CheckInRequest": {
                    "type": "object",
                    "required": ["nonce"],
                    "description": "Un code de billet ou une inscription, pas les deux.",
                    "oneOf": [{"required": ["code"]}, {"required": ["registration_id"]}],
                    "properties": {
                        "code": {
                            "type": "string",
                            "maxLength": 40,
                            # 8 characters of the ticket alphabet (no 0, O, 1, I, L, U), any
                            # case, with spaces, dashes, dots or underscores anywhere.
                            "pattern": r"^[\s._-]*(?:[2-9A-HJKMNP-TV-Za-hjkmnp-tv-z][\s._-]*){8}$",
                            "description": (
                                "Ce que le lecteur ou la caméra a lu (7K3M-Q9ZP). Un texte d'une "
                                "autre forme reçoit 422 invalid_code."
                            ),
                        },
                        "registration_id": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": 2147483647,
                            "description": "À la place du code : une inscription trouvée par nom.",
                        },
                        "nonce": {
                            "type": "string",
                            "pattern": "^[A-Za-z0-9_-]{8,64}$",
                            "description": "Unique par lecture, choisi par la tablette.",
                        },
                        "scanned_at": {
                            "type": "string",
                            "format": "date-time",
                            "description": "Heure de la lecture, si elle a été faite hors connexion.",
                        },
                        "method": {"type": "string", "enum": ["camera", "scanner", "search"]},
                        "offline": {"type": "boolean", "default": False},
                    },
                },
                "Person": person,
                "CheckIn": check_in,
                "Interview": {
                    "type": "object",
                    "required": ["starts_at", "time", "table", "employer"],
                    "properties": {
                        "starts_at": {"type": "string", "example": "09:20"},
                        "time": {"type": "string", "example": "9 h 20"},
                        "table": {"type": "integer"},
                        "employer": {"type": "string"},
                    },
                },
                "CheckInResult": {
                    "type": "object",
                    "required": [
                        "result",
                        "replayed",
                        "message",
                        "person",
                        "check_in",
                        "interviews",
                    ],
                    "properties": {
                        "result": {"type": "string", "enum": ["checked_in", "already_checked_in"]},
                        "replayed": {"type": "boolean"},
                        "message": {"type": "string", "example": "Bienvenue Sylvie Martin"},
                        "person": {"$ref": "#/components/schemas/Person"},
                        "check_in": {"$ref": "#/components/schemas/CheckIn"},
                        "interviews": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Interview"},
                        },
                    },
                },
                "Board": {
                    "type": "object",
                    "required": [
                        "now",
                        "expected",
                        "arrived",
                        "timeline",
                        "employers_expected",
                        "employers_present",
                        "interviews_planned",
                        "interviews_held",
                        "interviews_in_progress",
                        "interviews_missed",
                        "no_shows",
                        "free_now",
                    ],
                    "properties": {
                        "now": {"type": "string", "format": "date-time"},
                        "expected": {"type": "integer"},
                        "arrived": {"type": "integer"},
                        "timeline": {
                            "type": "array",
                            "description": (
                                "Par quart d'heure : arrivés et attendus à cette heure-là "
                                "(arrivés : null pour un quart d'heure pas encore commencé)."
                            ),
                            "items": {
                                "type": "object",
                                "required": ["at", "arrived", "expected"],
                                "properties": {
                                    "at": {"type": "string", "example": "09:15"},
                                    "arrived": {"type": "integer", "nullable": True},
                                    "expected": {"type": "integer"},
                                },
                            },
                        },
                        "employers_expected": {"type": "integer"},
                        "employers_present": {"type": "integer"},
                        "interviews_planned": {"type": "integer"},
                        "interviews_held": {"type": "integer"},
                        "interviews_in_progress": {"type": "integer"},
                        "interviews_missed": {"type": "integer"},
                        "no_shows": {"type": "integer"},
                        "free_now": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["employer", "table", "starts_at", "time"],
                                "properties": {
                                    "employer": {"type": "string"},
                                    "table": {"type": "integer"},
                                    "starts_at": {"type": "string", "example": "10:20"},
                                    "time": {"type": "string", "example": "10 h 20"},
                                },
                            },
                        },
                    },
                },
                "EventStatus": {
                    "type": "object",
                    "required": ["event", "expected", "arrived", "recent"],
                    "properties": {
                        "event": {
                            "type": "object",
                            "required": ["id", "town", "date"],
                            "properties": {
                                "id": {"type": "integer"},
                                "town": {"type": "string"},
                                "date": {"type": "string", "format": "date"},
                            },
                        },
                        "expected": {"type": "integer"},
                        "arrived": {"type": "integer"},
                        "recent": {
                            "type": "array",
                            "items": {
                                "allOf": [
                                    {"$ref": "#/components/schemas/CheckIn"},
                                    {
                                        "type": "object",
                                        "properties": {
                                            "person": {"$ref": "#/components/schemas/Person"}
                                        },
                                    },
                                ]
                            },
                        },
                    },
                },
            }
        },
    }
