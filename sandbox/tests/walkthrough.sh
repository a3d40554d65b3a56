#!/usr/bin/env bash
# The curl walkthrough of docs/sandbox.md ("A whole journey with curl"), run by
# sandbox/tests/walkthrough.rs against the binary. Below the marker line, this file is the
# doc's shell blocks of that section, in order: the test fails when the two differ, so the
# doc cannot show a command this script does not run. Needs bash, curl and jq.
set -euo pipefail
SANDBOX=${SANDBOX:-http://127.0.0.1:8080}
cd "$(mktemp -d)"
# --- walkthrough ---
TOKEN=$(curl -sf -u sandbox-merchant:sandbox-merchant-secret \
  -d grant_type=client_credentials -d scope=e-financing:rw \
  "$SANDBOX/auth-server/api/v1/oauth2/token" | jq -r .access_token)
API="$SANDBOX/e-financing/api/v1"
AUTH="Authorization: Bearer $TOKEN"
JSON="Content-Type: application/json"
curl -sf -H "$AUTH" "$API/eligible-solutions?buyerBillingCountry=FR&financedAmount=1500" \
  | jq -e '[.solutions[].solutionCode] == ["SCFRSP-4XTS", "SCFRLT-TXPS", "SCFRLT-TXNO", "SCFRSP-4XPS"]'
curl -sf -H "$AUTH" -H "$JSON" "$API/_simulate-solutions" \
  -d '{"financedAmount": 1500, "buyerBillingCountry": "FR", "solutionCodes": ["SCFRLT-TXPS"]}' \
  | jq -e '.solutionSimulations[0].simulations[] | select(.duration == 12)
           | .installments[0].amount == 131.5 and .totalCost == 78'
cat > application.json <<'EOF'
{
  "solutionCode": "SCFRLT-TXPS",
  "merchantBasketId": "BASKET-1001",
  "merchantGlobalOrderId": "ORDER-1001",
  "merchantBuyerId": "BUYER-42",
  "financedAmount": 1500,
  "merchantUrls": {"confirmation": "https://shop.example.com/financing/return"},
  "buyers": [{
    "contact": {"commonTitle": "MRS", "firstName": "Claire", "lastName": "Martin",
                "email": "claire.martin@example.com", "mobilePhoneNumber": "+33612345678"},
    "contactAddress": {"locationType": "MAIN_ADDRESS", "streetName": "rue de la Paix",
                       "zipCode": "75002", "cityName": "Paris", "regionName": "Île-de-France",
                       "countryCode": "FR"},
    "billingContact": {"commonTitle": "MRS", "firstName": "Claire", "lastName": "Martin",
                       "email": "claire.martin@example.com", "mobilePhoneNumber": "+33612345678"},
    "billingAddress": {"locationType": "BILLING_ADDRESS", "streetName": "rue de la Paix",
                       "zipCode": "75002", "cityName": "Paris", "regionName": "Île-de-France",
                       "countryCode": "FR"},
    "deliveryContact": {"commonTitle": "MRS", "firstName": "Claire", "lastName": "Martin",
                        "email": "claire.martin@example.com", "mobilePhoneNumber": "+33612345678"},
    "deliveryAddress": {"locationType": "DELIVERY_ADDRESS", "streetName": "rue de la Paix",
                        "zipCode": "75002", "cityName": "Paris", "regionName": "Île-de-France",
                        "countryCode": "FR"}
  }],
  "basketDetails": {"basketItems": [{
    "id": "ITEM-1", "quantity": 1, "label": "Electric city bike", "model": "City E-500",
    "brandName": "Rivelo", "category": "Bikes", "description": "Aluminium frame",
    "specifications": "500 Wh battery", "price": 1500, "currencyCode": "EUR",
    "orderId": "ORDER-1001", "isFinanced": true
  }]}
}
EOF
CREATED=$(curl -sf -H "$AUTH" -H "$JSON" "$API/subscriptions?language=fr-FR" -d @application.json)
ID=$(echo "$CREATED" | jq -r .id)
JOURNEY=$(echo "$CREATED" | jq -r .redirect.value)
curl -sf -X POST "$JOURNEY/accept" | jq -e '.consolidatedStatus == "ACCEPTED"'
curl -sf -H "$AUTH" "$API/subscriptions/$ID" \
  | jq -e '.consolidatedStatus == "ACCEPTED" and .financedAmount == 1500'
curl -sf -H "$AUTH" -H "$JSON" "$API/subscriptions/$ID/_confirmDelivery" \
  -d '{"isDelivered": true, "trackingNumber": "6A20419387552", "operator": "LA_POSTE"}' \
  -o /dev/null -w '%{http_code}\n' | grep -qx 204
curl -sf -H "$AUTH" -H "$JSON" "$API/subscriptions/$ID/_confirmReturn" \
  -d '{"isReturned": true}' -o /dev/null -w '%{http_code}\n' | grep -qx 204
curl -sf -H "$AUTH" -H "$JSON" "$API/subscriptions/$ID/_cancel" -d '{"cancelledAmount": 500}' \
  | jq -e '.status == "CANCEL_PART_ACCEPTED" and .financedAmount == 1000'
curl -sf -H "$AUTH" -H "$JSON" "$API/subscriptions/$ID/_cancel" -d '{}' \
  | jq -e '.status == "CANCEL_FULL_ACCEPTED" and .financedAmount == 0'
curl -sf -H "$AUTH" "$API/subscriptions?merchantGlobalOrderId=ORDER-1001" \
  | jq -e '.totalItemCount == 1 and .subscriptions[0].consolidatedStatus == "CANCELLED"'
