from django.core.management.base import BaseCommand, CommandError

from tracing_portal.bluezone.sandbox import scenario


class Command(BaseCommand):
    help = (
        "Set up the Bluezone sandbox: register numbers and record who met whom, e.g. "
        "--register 84912345678 --meet 84912345678 84987654321 --minutes 40 --rssi -60"
    )

    def add_arguments(self, parser):
        parser.add_argument("--register", action="append", default=[], metavar="MSISDN")
        parser.add_argument(
            "--unregister",
            action="append",
            default=[],
            metavar="MSISDN",
            help="the number has no Bluezone, whatever the synthetic population says",
        )
        parser.add_argument("--province", help="GSO code of the registered numbers' province")
        parser.add_argument(
            "--unverified", action="store_true", help="registered numbers have no verified phone"
        )
        parser.add_argument(
            "--meet",
            action="append",
            nargs=2,
            default=[],
            metavar=("A", "B"),
            help="A and B met: a trace of either lists the other (repeatable)",
        )
        parser.add_argument("--minutes", type=int, default=40, help="length of each meeting")
        parser.add_argument("--rssi", type=int, default=-60, help="signal strength, dBm")
        parser.add_argument("--days-ago", type=int, default=None, help="when they met")

    def handle(self, *args, **options):
        try:
            for msisdn in options["register"]:
                s = scenario.register(
                    msisdn,
                    province_code=options["province"],
                    phone_verified=not options["unverified"],
                )
                self.stdout.write(f"registered {s.msisdn} (province {s.province_code})")
            for msisdn in options["unregister"]:
                scenario.unregister(msisdn)
                self.stdout.write(f"unregistered {msisdn}")
            for a, b in options["meet"]:
                scenario.meet(
                    a,
                    b,
                    minutes=options["minutes"],
                    rssi=options["rssi"],
                    days_ago=options["days_ago"],
                )
                self.stdout.write(f"{a} met {b}: {options['minutes']} min at {options['rssi']} dBm")
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
