package io.securelake.ingest.generate;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Realistic synthetic events for the shipped datasets, reproducible from a seed: a fixed population of
 * customers (with Luhn-valid card numbers, e-mail, phone) transacting at merchants, ATMs and terminals
 * across European cities, with plausible amounts, statuses and ISO 8583 response codes. Customers repeat,
 * as in real traffic, so per-customer keys are reused. Not thread-safe; one per producing thread.
 */
public final class EventGenerator {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String[] FIRST = {"Emma", "Liam", "Olivia", "Noah", "Sophie", "Lucas", "Mia", "Daan", "Julia",
            "Finn", "Sara", "Milan", "Anna", "Levi", "Eva", "Sem", "Lotte", "Thomas", "Chloe", "Mateo", "Ingrid", "Oskar",
            "Amélie", "Jonas", "Zoë", "Luca", "Freya", "Hugo", "Nora", "Elias"};
    private static final String[] LAST = {"de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Müller",
            "Schmidt", "Dubois", "Laurent", "García", "Rossi", "Novak", "Kowalski", "Andersen", "Nilsson", "O'Brien",
            "Murphy", "Peeters", "Janssens", "Costa", "Silva", "Horvat", "Virtanen", "Berg", "Fischer"};
    private static final String[] MAIL = {"example.com", "mail.example.org", "post.example.net", "inbox.example.eu"};
    private static final String[][] CITIES = {
            {"Amsterdam", "NL", "52.3676", "4.9041", "EUR", "+31 6"}, {"Rotterdam", "NL", "51.9244", "4.4777", "EUR", "+31 6"},
            {"Berlin", "DE", "52.5200", "13.4050", "EUR", "+49 151"}, {"Munich", "DE", "48.1351", "11.5820", "EUR", "+49 160"},
            {"Paris", "FR", "48.8566", "2.3522", "EUR", "+33 6"}, {"Lyon", "FR", "45.7640", "4.8357", "EUR", "+33 7"},
            {"Madrid", "ES", "40.4168", "-3.7038", "EUR", "+34 6"}, {"Milan", "IT", "45.4642", "9.1900", "EUR", "+39 3"},
            {"London", "GB", "51.5072", "-0.1276", "GBP", "+44 7"}, {"Dublin", "IE", "53.3498", "-6.2603", "EUR", "+353 8"},
            {"Stockholm", "SE", "59.3293", "18.0686", "SEK", "+46 7"}, {"Copenhagen", "DK", "55.6761", "12.5683", "DKK", "+45 2"},
            {"Warsaw", "PL", "52.2297", "21.0122", "PLN", "+48 5"}, {"Zurich", "CH", "47.3769", "8.5417", "CHF", "+41 7"}};
    private static final String[][] MERCHANTS = {
            {"Albert Heijn", "5411"}, {"Lidl", "5411"}, {"Carrefour Market", "5411"}, {"Tesco Express", "5411"},
            {"Shell", "5541"}, {"TotalEnergies", "5541"}, {"IKEA", "5712"}, {"MediaMarkt", "5732"}, {"Zara", "5651"},
            {"H&M", "5651"}, {"Starbucks", "5814"}, {"Le Petit Bistro", "5812"}, {"Trattoria da Luca", "5812"},
            {"NS Reizigers", "4111"}, {"Deutsche Bahn", "4112"}, {"Uber", "4121"}, {"Booking.com", "4722"},
            {"Apotheek Centraal", "5912"}, {"Decathlon", "5941"}, {"bol.com", "5999"}, {"Amazon EU", "5999"},
            {"Spotify", "5815"}, {"Vodafone", "4814"}, {"Hotel Europa", "7011"}};
    private static final String[] WALLETS = {"APPLE_PAY", "GOOGLE_PAY", "SAMSUNG_PAY"};

    private record Customer(String accountId, String customerId, String name, String email, String phone,
                            List<String> cards, int city) {
    }

    private final String dataset;
    private final SplittableRandom random;
    private final List<Customer> customers;
    private final Instant start;
    private final long spreadMillis;

    private EventGenerator(String dataset, long seed, int customerCount, Instant start, Duration spread) {
        if (customerCount < 1) {
            throw new IllegalArgumentException("customerCount must be >= 1");
        }
        this.dataset = dataset;
        this.random = new SplittableRandom(seed);
        this.start = start;
        this.spreadMillis = Math.max(1, spread.toMillis());
        this.customers = new ArrayList<>(customerCount);
        SplittableRandom people = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int i = 0; i < customerCount; i++) {
            String first = FIRST[people.nextInt(FIRST.length)];
            String last = LAST[people.nextInt(LAST.length)];
            int city = people.nextInt(CITIES.length);
            String local = (first + "." + last).toLowerCase(Locale.ROOT).replaceAll("[^a-z.]", "") + (i % 97);
            List<String> cards = new ArrayList<>();
            int n = 1 + people.nextInt(2);
            for (int c = 0; c < n; c++) {
                cards.add(cardNumber(people));
            }
            customers.add(new Customer(String.format("NL%02dSLAK%010d", 10 + people.nextInt(89), 1_000_000L + i),
                    String.format("C%09d", 100_000 + i), first + " " + last, local + "@" + MAIL[people.nextInt(MAIL.length)],
                    CITIES[city][5] + String.format("%08d", people.nextInt(100_000_000)), cards, city));
        }
    }

    /**
     * @param customers size of the customer population (each customer's subject key is reused)
     * @param start     earliest event time
     * @param spread    event times fall in [start, start + spread)
     */
    public static EventGenerator of(String dataset, long seed, int customers, Instant start, Duration spread) {
        if (!dataset.equals("payments") && !dataset.equals("customer_preferences")) {
            throw new IllegalArgumentException("no generator for dataset '" + dataset
                    + "' (available: payments, customer_preferences)");
        }
        return new EventGenerator(dataset, seed, customers, start, spread);
    }

    /** Events of the last hour from 1,000 customers. */
    public static EventGenerator of(String dataset, long seed) {
        return of(dataset, seed, 1_000, Instant.now().minus(Duration.ofHours(1)), Duration.ofHours(1));
    }

    public ObjectNode next() {
        return dataset.equals("payments") ? payment() : preference();
    }

    private UUID uuid() {
        long hi = (random.nextLong() & ~0xF000L) | 0x4000L;
        long lo = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(hi, lo);
    }

    private long eventTime() {
        return start.toEpochMilli() + random.nextLong(spreadMillis);
    }

    private ObjectNode payment() {
        Customer c = customers.get(random.nextInt(customers.size()));
        boolean abroad = random.nextInt(10) == 0;
        String[] city = CITIES[abroad ? random.nextInt(CITIES.length) : c.city()];
        int kind = random.nextInt(100);
        String channel = kind < 12 ? "ATM" : kind < 70 ? "POS" : "CARD_NOT_PRESENT";
        String[] merchant = channel.equals("ATM") ? new String[] {"ATM " + city[0] + " Centraal", "6011"}
                : MERCHANTS[random.nextInt(MERCHANTS.length)];
        BigDecimal amount = channel.equals("ATM")
                ? BigDecimal.valueOf(20L * (1 + random.nextInt(15))).setScale(2, RoundingMode.UNNECESSARY)
                : BigDecimal.valueOf(Math.exp(random.nextDouble() * 6.5)).setScale(2, RoundingMode.HALF_UP).max(new BigDecimal("0.50"));
        int outcome = random.nextInt(100);
        String status = outcome < 92 ? "APPROVED" : outcome < 97 ? "DECLINED" : outcome < 99 ? "REVERSED" : "PENDING";
        String response = switch (status) {
            case "APPROVED", "REVERSED" -> "00";
            case "DECLINED" -> new String[] {"05", "51", "54", "61"}[random.nextInt(4)];
            default -> "09";
        };
        String terminalType = channel.equals("ATM") ? "ATM" : channel.equals("POS") ? "POS"
                : random.nextBoolean() ? "ECOMMERCE" : "MOBILE";
        ObjectNode e = NODES.objectNode();
        e.put("event_id", uuid().toString());
        e.put("event_time", eventTime());
        e.put("channel", channel);
        e.put("card_number", c.cards().get(random.nextInt(c.cards().size())));
        e.put("account_id", c.accountId());
        e.put("customer_name", c.name());
        e.put("email", c.email());
        e.put("phone", c.phone());
        e.put("amount", amount);
        e.put("currency", city[4]);
        ObjectNode m = e.putObject("merchant");
        m.put("id", String.format("M%08d", Math.abs(merchant[0].hashCode() % 100_000_000)));
        m.put("name", merchant[0]);
        m.put("category_code", merchant[1]);
        ObjectNode t = e.putObject("terminal");
        t.put("id", String.format("T%s%06d", city[1], random.nextInt(1_000_000)));
        t.put("type", terminalType);
        ObjectNode l = e.putObject("location");
        l.put("city", city[0]);
        l.put("country", city[1]);
        l.put("latitude", Double.parseDouble(city[2]) + (random.nextDouble() - 0.5) / 20);
        l.put("longitude", Double.parseDouble(city[3]) + (random.nextDouble() - 0.5) / 20);
        e.put("status", status);
        e.put("response_code", response);
        if (status.equals("APPROVED")) {
            e.put("auth_code", String.format("%06X", random.nextInt(0xFFFFFF)));
        } else {
            e.putNull("auth_code");
        }
        e.put("description", (merchant[0] + " " + city[0] + " " + city[1]).toUpperCase(Locale.ROOT)
                + (channel.equals("CARD_NOT_PRESENT") ? " ONLINE REF " + Long.toString(random.nextLong() & Long.MAX_VALUE, 36) : ""));
        if (terminalType.equals("MOBILE")) {
            e.put("wallet", WALLETS[random.nextInt(WALLETS.length)]);
        }
        return e;
    }

    private ObjectNode preference() {
        Customer c = customers.get(random.nextInt(customers.size()));
        String[] alerts = {"LOW_BALANCE", "LARGE_TRANSACTION", "PAYMENT_DUE", "FRAUD_SUSPECTED", "STATEMENT_READY", "MARKETING"};
        String[] channels = {"EMAIL", "SMS", "PUSH", "POST"};
        String[] changedBy = {"CUSTOMER", "CUSTOMER", "CUSTOMER", "BRANCH", "CALL_CENTER", "SYSTEM"};
        String[] apps = {"mobile-ios 7.4.1", "mobile-android 7.4.0", "web 2026.11", "branch-desk 3.2", "ivr 1.9"};
        String alert = alerts[random.nextInt(alerts.length)];
        String delivery = channels[random.nextInt(channels.length)];
        ObjectNode e = NODES.objectNode();
        e.put("event_id", uuid().toString());
        e.put("event_time", eventTime());
        e.put("customer_id", c.customerId());
        if (delivery.equals("EMAIL")) {
            e.put("email", c.email());
        } else {
            e.putNull("email");
        }
        if (delivery.equals("SMS")) {
            e.put("phone", c.phone());
        } else {
            e.putNull("phone");
        }
        e.put("alert_type", alert);
        e.put("delivery_channel", delivery);
        e.put("enabled", random.nextInt(5) != 0);
        if (alert.equals("LOW_BALANCE") || alert.equals("LARGE_TRANSACTION")) {
            e.put("threshold", BigDecimal.valueOf(50L * (1 + random.nextInt(40))).setScale(2, RoundingMode.UNNECESSARY));
            e.put("currency", CITIES[c.city()][4]);
        } else {
            e.putNull("threshold");
            e.putNull("currency");
        }
        e.put("changed_by", changedBy[random.nextInt(changedBy.length)]);
        e.put("source_app", apps[random.nextInt(apps.length)]);
        return e;
    }

    /** A 16-digit card number with a Visa or Mastercard prefix and a valid Luhn check digit. */
    static String cardNumber(SplittableRandom r) {
        int[] digits = new int[16];
        String prefix = r.nextBoolean() ? "4" + (100 + r.nextInt(900)) : "5" + (1 + r.nextInt(5)) + (10 + r.nextInt(90));
        for (int i = 0; i < prefix.length(); i++) {
            digits[i] = prefix.charAt(i) - '0';
        }
        for (int i = prefix.length(); i < 15; i++) {
            digits[i] = r.nextInt(10);
        }
        digits[15] = luhnCheckDigit(digits);
        StringBuilder sb = new StringBuilder(16);
        for (int d : digits) {
            sb.append(d);
        }
        return sb.toString();
    }

    static int luhnCheckDigit(int[] digits) {
        int sum = 0;
        for (int i = 14; i >= 0; i--) {
            int d = digits[i];
            if ((14 - i) % 2 == 0) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
        }
        return (10 - sum % 10) % 10;
    }

    /** True if the number passes the Luhn check. */
    public static boolean luhnValid(String number) {
        int sum = 0;
        boolean dbl = false;
        for (int i = number.length() - 1; i >= 0; i--) {
            int d = number.charAt(i) - '0';
            if (dbl) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            dbl = !dbl;
        }
        return sum % 10 == 0;
    }
}
