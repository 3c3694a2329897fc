from ninja import NinjaAPI

api = NinjaAPI(title="Twinning CMS API", version="1")
