#!/usr/bin/env python3
"""Writes the labelled search-quality set: corpus.jsonl (listing titles) and queries.jsonl.

Relevance is decided by what a listing *is*, never by its words: every title is made from a
template that carries tags ("iphone", "chair", "folding", ...), and a query is relevant to the
listings holding all of its tags. A camera listed as "캐논 EOS R6 바디" is relevant to "카메라"
although the word is not in it, so the set measures what a buyer gets, not what the analyzer
happens to match. Run `python3 benches/search-quality/generate.py` to write the files again;
the seed is fixed, so the output only changes when this script does.
"""

import json
import random
from pathlib import Path

random.seed(20261202)
HERE = Path(__file__).parent

PREFIX = ["", "", "", "", "[급처] ", "(직거래) ", "[새상품] ", "급처 ", "[택포] "]
SUFFIX = ["", "", "", " 팝니다", " 판매", " 싸게 팔아요", " 급처분", " 택포", " 새상품", " S급", " 네고가능", " 판매합니다"]
STORAGE = ["64기가", "128GB", "256GB", "256기가", "512GB", "128기가"]
COLOR = ["블랙", "화이트", "실버", "블루", "스페이스그레이", "미드나이트", "그린", "핑크"]


def pick(options):
    return random.choice(options)


# (category, tags, count, templates). A template is a function of nothing returning a title;
# every title it makes has the tags.
CONCEPTS = []


def concept(category, tags, count, *templates):
    CONCEPTS.append((category, set(tags.split()), count, templates))


n = lambda *xs: pick(xs)  # noqa: E731

# Phones
for model in [12, 13, 14, 15]:
    concept("digital/phones", f"iphone iphone{model} phone apple", 3,
            lambda m=model: f"아이폰{m} {pick(STORAGE)} {pick(COLOR)}",
            lambda m=model: f"아이폰 {m} {pick(STORAGE)} 자급제",
            lambda m=model: f"iPhone {m} {pick(STORAGE)} 배터리 {random.randint(80, 100)}%",
            lambda m=model: f"애플 아이폰{m} 공기계")
    concept("digital/phones", f"iphone iphone{model} phone apple pro", 3,
            lambda m=model: f"아이폰{m}프로 {pick(STORAGE)} {pick(COLOR)}",
            lambda m=model: f"아이폰 {m} 프로 {pick(STORAGE)} 풀박스",
            lambda m=model: f"iPhone {m} Pro {pick(STORAGE)}")
    concept("digital/phones", f"iphone iphone{model} phone apple pro promax", 2,
            lambda m=model: f"아이폰{m}프로맥스 {pick(STORAGE)} {pick(COLOR)}",
            lambda m=model: f"아이폰 {m} 프로 맥스 {pick(STORAGE)}",
            lambda m=model: f"iphone{m} pro max {pick(STORAGE)}")
concept("digital/phones", "iphone iphone13 phone apple mini", 3,
        lambda: f"아이폰13 미니 {pick(STORAGE)} {pick(COLOR)}", lambda: "아이폰 13mini 128 자급제",
        lambda: "iPhone 13 mini 핑크")
concept("digital/phones", "iphone phone apple", 3,
        lambda: f"아이폰 SE3 {pick(STORAGE)}", lambda: "아이폰SE 2세대 업무폰", lambda: "아이폰11 서브폰용")
for model in [22, 23, 24]:
    concept("digital/phones", f"galaxy galaxy_s galaxys{model} phone samsung", 3,
            lambda m=model: f"갤럭시 S{m} {pick(STORAGE)} {pick(COLOR)}",
            lambda m=model: f"갤럭시S{m} 자급제 공기계",
            lambda m=model: f"Galaxy S{m}+ {pick(STORAGE)}",
            lambda m=model: f"삼성 갤럭시 S{m} 울트라 {pick(STORAGE)}")
concept("digital/phones", "galaxy flip phone samsung", 5,
        lambda: f"갤럭시 Z플립{pick([3, 4, 5])} {pick(COLOR)}", lambda: f"갤럭시Z 플립5 {pick(STORAGE)}",
        lambda: "Galaxy Z Flip 5 민트", lambda: f"z플립{pick([4, 5])} 자급제")
concept("digital/phones", "galaxy fold phone samsung", 4,
        lambda: f"갤럭시 Z폴드{pick([3, 4, 5])} {pick(STORAGE)}", lambda: "갤럭시폴드5 풀박스",
        lambda: "Galaxy Z Fold 4 그레이그린")
concept("digital/phones", "galaxy phone samsung", 3,
        lambda: f"삼성 갤럭시 A{pick([34, 54, 53])} 공기계", lambda: "갤럭시 퀀텀4 효도폰")
concept("digital/phones", "phone_case iphone accessory", 4,
        lambda: f"아이폰{pick([13, 14, 15])} 케이스 새상품", lambda: "iPhone 14 Pro 가죽케이스", lambda: "아이폰 범퍼케이스 일괄")
concept("digital/phones", "phone_case clear_case iphone accessory", 2,
        lambda: "아이폰15 맥세이프 투명케이스", lambda: "아이폰 14 투명 케이스")
concept("digital/phones", "phone_case galaxy accessory", 2,
        lambda: "갤럭시 플립5 케이스 2개", lambda: "갤럭시폴드 케이스 미개봉")
concept("digital/phones", "phone_case clear_case galaxy accessory", 2,
        lambda: f"갤럭시 S{pick([23, 24])} 투명 케이스", lambda: "갤럭시S24 투명케이스")
concept("digital/phones", "charger accessory", 3,
        lambda: "애플 20W 충전기 정품", lambda: "삼성 25W 고속충전기", lambda: "C타입 충전 케이블 3개")
concept("digital/phones", "charger wireless_charger accessory", 3,
        lambda: "맥세이프 무선충전기", lambda: "삼성 무선 충전기 패드", lambda: "3in1 무선충전기 거치대")

# Tablets, laptops
concept("digital/tablets", "ipad ipad_pro apple tablet", 4,
        lambda: f"아이패드 프로 {pick([11, 12.9])}인치 {pick([4, 5, 6])}세대", lambda: "ipad pro 11 m2 256gb",
        lambda: "아이패드프로 12.9 셀룰러")
concept("digital/tablets", "ipad ipad_air apple tablet", 3,
        lambda: "iPad Air 5 64GB 와이파이", lambda: f"아이패드에어{pick([4, 5])} {pick(COLOR)}")
concept("digital/tablets", "ipad ipad_mini apple tablet", 3,
        lambda: "아이패드미니6 셀룰러 퍼플", lambda: "아이패드 미니 5세대", lambda: "iPad mini 6 64GB")
concept("digital/tablets", "ipad apple tablet", 3,
        lambda: "아이패드 10세대 + 애플펜슬", lambda: "아이패드 9세대 인강용", lambda: "iPad 8세대 32기가")
concept("digital/tablets", "galaxy galaxy_tab tablet samsung", 7,
        lambda: f"갤럭시탭 S{pick([7, 8, 9])} 울트라", lambda: "갤럭시 탭 S9 와이파이 128",
        lambda: "Galaxy Tab S7 FE 펜포함", lambda: "갤럭시탭 A8 아이들 인강용")
concept("digital/laptops", "macbook macbook_pro apple laptop", 8,
        lambda: f"맥북프로 {pick([14, 16])}인치 M{pick([1, 2, 3])}", lambda: "MacBook Pro 16 M1 Max 32GB",
        lambda: "애플 맥북 프로 2019 인텔", lambda: "맥북 프로 13 터치바")
concept("digital/laptops", "macbook macbook_air apple laptop", 8,
        lambda: f"맥북 에어 M{pick([1, 2])} 13인치", lambda: "맥북에어 M1 스페이스그레이",
        lambda: "macbook air m2 미드나이트", lambda: "맥북에어 15인치 M3")
concept("digital/laptops", "gram lg laptop", 7,
        lambda: f"LG 그램 {pick([14, 16, 17])}인치 {pick([2022, 2023])}", lambda: "엘지그램 17 노트북",
        lambda: "그램 14 노트북 팝니다", lambda: "LG gram 16 2in1")
concept("digital/laptops", "laptop", 6,
        lambda: "레노버 씽크패드 X1 카본 노트북", lambda: "델 XPS 13 노트북", lambda: "HP 파빌리온 15 노트북 i5")
concept("digital/laptops", "laptop gaming_laptop", 4,
        lambda: "에이수스 게이밍노트북 RTX4060", lambda: "레노버 리전 게이밍 노트북", lambda: "게이밍노트북 RTX3060 15인치")
concept("digital/laptops", "laptop galaxy samsung", 4,
        lambda: "삼성 갤럭시북3 프로 16인치", lambda: "갤럭시북2 360 노트북")
concept("digital/monitors", "monitor gaming_monitor", 6,
        lambda: f"LG 울트라기어 {pick([27, 32])}인치 게이밍 모니터", lambda: "삼성 오디세이 G7 게이밍모니터",
        lambda: "게이밍모니터 165hz 27인치")
concept("digital/monitors", "monitor", 6,
        lambda: "델 모니터 24인치 2대", lambda: "4K 모니터 32인치 LG", lambda: "사무용 모니터 27인치")
concept("digital/peripherals", "keyboard", 6,
        lambda: "로지텍 MX Keys 키보드", lambda: "해피해킹 키보드 타입S",
        lambda: "무선 키보드 마우스 세트", lambda: "애플 매직키보드 터치아이디")
concept("digital/peripherals", "keyboard mechanical_keyboard", 4,
        lambda: "기계식키보드 체리 적축", lambda: "기계식 키보드 갈축 텐키리스", lambda: "레오폴드 기계식키보드 FC660")
concept("digital/peripherals", "mouse", 6,
        lambda: "로지텍 G Pro 무선 마우스", lambda: "게이밍마우스 레이저 바이퍼", lambda: "애플 매직마우스2")

# Audio, watches
concept("digital/audio", "airpods airpods_pro apple earphones", 8,
        lambda: "에어팟 프로 2세대 C타입", lambda: "에어팟프로2 미개봉", lambda: "AirPods Pro 2 본체",
        lambda: "에어팟프로 1세대 왼쪽")
concept("digital/audio", "airpods apple earphones", 6,
        lambda: "에어팟 3세대 한쪽 팝니다", lambda: "airpods 2세대 충전케이스", lambda: "에어팟2 유선충전")
concept("digital/audio", "airpods apple headphones", 3,
        lambda: f"에어팟맥스 {pick(['실버', '스페이스그레이', '스카이블루'])}", lambda: "AirPods Max 핑크")
concept("digital/audio", "galaxy buds samsung earphones", 6,
        lambda: "갤럭시 버즈2 프로 그라파이트", lambda: "갤럭시버즈 라이브 미개봉", lambda: "Galaxy Buds FE")
concept("digital/audio", "headphones", 7,
        lambda: "소니 WH-1000XM5 헤드폰", lambda: "보스 QC45 노이즈캔슬링 헤드폰", lambda: "젠하이저 모멘텀4 헤드폰")
concept("digital/audio", "speaker", 5,
        lambda: "마샬 엠버튼 블루투스 스피커", lambda: "JBL 플립6 스피커", lambda: "보스 사운드링크 스피커")
concept("digital/wearables", "apple_watch apple watch", 7,
        lambda: f"애플워치 {pick([7, 8, 9])} {pick([41, 45])}mm", lambda: "애플 워치 SE 2세대",
        lambda: "Apple Watch Ultra 2 티타늄", lambda: "애플워치울트라 49mm")
concept("digital/wearables", "galaxy galaxy_watch samsung watch", 6,
        lambda: f"갤럭시워치{pick([4, 5, 6])} 44mm", lambda: "갤럭시 워치6 클래식", lambda: "Galaxy Watch 5 Pro")

# Games
concept("digital/games", "nintendo switch switch_oled console", 6,
        lambda: "닌텐도 스위치 OLED 화이트", lambda: "스위치 oled 동숲에디션", lambda: "닌텐도스위치 OLED 풀박스",
        lambda: "Nintendo Switch OLED 네온")
concept("digital/games", "nintendo switch console", 7,
        lambda: "닌텐도스위치 라이트 옐로우", lambda: "Nintendo Switch 본체 + 젤다", lambda: "닌텐도 스위치 구형 배터리개선판",
        lambda: "스위치 라이트 터콰이즈")
concept("digital/games", "nintendo switch accessory", 4,
        lambda: "닌텐도 스위치 프로콘 정품", lambda: "스위치 조이콘 네온", lambda: "닌텐도 스위치 독 거치대")
concept("digital/games", "nintendo game_title", 6,
        lambda: "젤다의 전설 왕국의 눈물 칩", lambda: "마리오카트8 디럭스 스위치용", lambda: "포켓몬스터 스칼렛 스위치 칩",
        lambda: "동물의숲 칩 팝니다")
concept("digital/games", "playstation ps5 console", 9,
        lambda: "플스5 디스크에디션", lambda: "PS5 슬림 디지털", lambda: "플레이스테이션5 듀얼센스 2개",
        lambda: "플스5 디지털 에디션 풀박스", lambda: "ps5 본체 + 게임3개")
concept("digital/games", "playstation ps4 console", 5,
        lambda: "플스4 프로 1TB", lambda: "PS4 슬림 500GB", lambda: "플레이스테이션4 프로 화이트")
concept("digital/games", "playstation accessory", 3,
        lambda: "듀얼센스 컨트롤러 화이트", lambda: "플스5 듀얼센스 엣지")
concept("digital/games", "xbox console", 4,
        lambda: "엑스박스 시리즈X", lambda: "Xbox Series S 512GB", lambda: "엑스박스 컨트롤러")

# Cameras
concept("digital/cameras", "camera canon", 5,
        lambda: "캐논 EOS R6 바디", lambda: "캐논 G7X 마크3", lambda: "Canon 200D 번들렌즈", lambda: "캐논 미러리스 카메라 R50")
concept("digital/cameras", "camera sony", 4,
        lambda: "소니 A7M4 풀프레임 미러리스", lambda: "소니 ZV-E10 브이로그 카메라", lambda: "소니 RX100 M7")
concept("digital/cameras", "camera fujifilm", 4,
        lambda: "후지필름 X100V 실버", lambda: "후지 X-T30 II 렌즈킷", lambda: "fujifilm xs20 카메라")
concept("digital/cameras", "camera nikon", 3, lambda: "니콘 Z6 II 바디", lambda: "니콘 D750 카메라")
concept("digital/cameras", "camera gopro", 3, lambda: "고프로 히어로11 블랙", lambda: "GoPro Hero 12 액션캠")
concept("digital/cameras", "camera film_camera", 3, lambda: "필름카메라 올림푸스 뮤2", lambda: "코닥 일회용 필름카메라")

# Home appliances
concept("home/appliances", "dyson vacuum", 5,
        lambda: "다이슨 V15 무선청소기", lambda: "다이슨 V12 디텍트 슬림", lambda: "Dyson V11 청소기")
concept("home/appliances", "dyson hair_styler", 3,
        lambda: "다이슨 에어랩 컴플리트", lambda: "dyson airwrap 롱배럴")
concept("home/appliances", "dyson hair_dryer", 3,
        lambda: "다이슨 슈퍼소닉 드라이기", lambda: "다이슨 슈퍼소닉 헤어드라이어")
concept("home/appliances", "vacuum robot_vacuum", 5,
        lambda: "로보락 S8 로봇청소기", lambda: "삼성 비스포크 제트봇", lambda: "로봇 청소기 에코백스", lambda: "샤오미 로봇청소기")
concept("home/appliances", "vacuum", 4,
        lambda: "LG 코드제로 A9 무선청소기", lambda: "삼성 제트 무선 청소기", lambda: "유선 청소기 일렉트로룩스")
concept("home/appliances", "hair_dryer", 3, lambda: "JMW 드라이기 항공모터", lambda: "유닉스 헤어드라이기")
concept("home/appliances", "fridge", 3, lambda: "삼성 비스포크 냉장고 4도어", lambda: "LG 디오스 냉장고 870L")
concept("home/appliances", "fridge small_fridge", 3, lambda: "미니냉장고 삼성", lambda: "원룸 소형냉장고")
concept("home/appliances", "washer", 4, lambda: "LG 트롬 세탁기 21kg", lambda: "삼성 그랑데 통돌이 세탁기", lambda: "미니 세탁기 아기옷")
concept("home/appliances", "air_fryer", 4, lambda: "필립스 에어프라이어 XXL", lambda: "에어프라이어 5.5L 새상품", lambda: "코스모스 에어 프라이어")
concept("home/appliances", "microwave", 3, lambda: "삼성 전자레인지 23L", lambda: "LG 광파오븐 전자렌지")
concept("home/appliances", "coffee_machine", 4, lambda: "네스프레소 버츄오 커피머신", lambda: "드롱기 전자동 커피머신", lambda: "브레빌 870 에스프레소 머신")
concept("home/appliances", "tv", 4, lambda: "LG 올레드 TV 55인치", lambda: "삼성 QLED 65인치 티비", lambda: "샤오미 TV 43인치")

# Furniture
concept("home/furniture", "chair camping_chair camping", 6,
        lambda: "캠핑의자 헬리녹스 체어원", lambda: "헬리녹스 체어원 블랙", lambda: "캠핑 의자 2개 일괄", lambda: "코베아 캠핑체어 릴렉스")
concept("home/furniture", "chair office_chair", 6,
        lambda: "사무용 의자 시디즈 T50", lambda: "시디즈 T80 사무용의자", lambda: "허먼밀러 에어론 의자", lambda: "듀오백 학생의자")
concept("home/furniture", "chair gaming_chair", 4, lambda: "게이밍의자 DXRACER", lambda: "게이밍 의자 팝니다 블랙레드")
concept("home/furniture", "chair", 4, lambda: "원목 식탁 의자 2개", lambda: "스툴 의자 4개 일괄", lambda: "접이식 의자 10개")
concept("home/furniture", "table", 6,
        lambda: "접이식 테이블 캠핑용", lambda: "원목 식탁 4인용", lambda: "이케아 리스타드 식탁", lambda: "거실 테이블 화이트")
concept("home/furniture", "desk", 5, lambda: "이케아 책상 알렉스", lambda: "컴퓨터책상 1200 화이트", lambda: "모션데스크 전동 책상")
concept("home/furniture", "sofa", 5, lambda: "4인용 소파 패브릭", lambda: "가죽 쇼파 3인용", lambda: "이케아 소파베드", lambda: "1인 리클라이너 소파")
concept("home/furniture", "bed", 4, lambda: "침대 프레임 퀸 원목", lambda: "시몬스 매트리스 슈퍼싱글", lambda: "저상형 침대 퀸")
concept("home/furniture", "bookshelf", 3, lambda: "원목 책장 5단", lambda: "이케아 빌리 책장")

# Sports, bicycles, camping
concept("sports/bicycles", "bicycle folding_bike", 5,
        lambda: "접이식자전거 20인치", lambda: "접이식 미니벨로 자전거", lambda: "폴딩자전거 알톤")
concept("sports/bicycles", "bicycle folding_bike brompton", 3,
        lambda: "브롬톤 접이식 자전거 M6L", lambda: "브롬톤 C라인 블랙")
concept("sports/bicycles", "bicycle road_bike", 6,
        lambda: "로드자전거 카본 105", lambda: "자이언트 로드 자전거 TCR", lambda: "로드바이크 시마노 울테그라", lambda: "스페셜라이즈드 알레 로드")
concept("sports/bicycles", "bicycle mtb", 4, lambda: "MTB 자전거 27.5인치", lambda: "산악자전거 첼로 XC", lambda: "삼천리 MTB 21단")
concept("sports/bicycles", "bicycle kids_bike kids", 4, lambda: "어린이 자전거 16인치 보조바퀴", lambda: "아동 자전거 핑크", lambda: "유아 네발자전거")
concept("sports/bicycles", "bicycle e_bike", 4, lambda: "전기자전거 배터리 포함", lambda: "삼천리 팬텀 전기 자전거", lambda: "퀄리 전기자전거 출퇴근용")
concept("sports/bicycles", "bicycle", 4, lambda: "삼천리 하이브리드자전거", lambda: "하이브리드 자전거 700c", lambda: "출퇴근용 자전거 싸게")
concept("sports/bicycles", "bicycle bike_accessory", 4, lambda: "자전거 헬멧 M사이즈", lambda: "자전거 거치대 벽걸이", lambda: "자전거 라이트 전후방 세트")
concept("sports/outdoor", "kickboard", 4, lambda: "전동킥보드 샤오미 M365", lambda: "어린이 킥보드 마이크로", lambda: "전동 킥보드 배터리 교체")
concept("sports/outdoor", "tent camping", 6, lambda: "코베아 텐트 4인용", lambda: "캠핑 텐트 원터치", lambda: "스노우피크 어메니티돔 텐트", lambda: "거실형 텐트 캠핑")
concept("sports/outdoor", "camping", 3, lambda: "캠핑 랜턴 LED", lambda: "캠핑용품 일괄 코펠 버너")
concept("sports/golf", "golf golf_club", 6, lambda: "타이틀리스트 드라이버 TSR2", lambda: "골프채 풀세트 남성용", lambda: "캘러웨이 아이언 세트", lambda: "골프 퍼터 스카티카메론")
concept("sports/golf", "golf", 2, lambda: "골프공 타이틀리스트 프로v1", lambda: "골프백 캐디백")
concept("sports/outdoor", "snowboard", 3, lambda: "스노우보드 데크 버튼", lambda: "스노보드 바인딩 부츠 세트")

# Fashion
concept("fashion/shoes", "shoes nike", 6, lambda: "나이키 에어포스1 270", lambda: "나이키 덩크 로우 범고래 265", lambda: "Nike 에어맥스 90", lambda: "나이키 조던1 미드 280")
concept("fashion/shoes", "shoes adidas", 4, lambda: "아디다스 삼바 OG 260", lambda: "아디다스 가젤 250", lambda: "adidas 슈퍼스타 245")
concept("fashion/shoes", "shoes new_balance", 4, lambda: "뉴발란스 993 그레이 270", lambda: "뉴발 530 화이트 240", lambda: "New Balance 2002r 265")
concept("fashion/clothes", "padding", 5, lambda: "노스페이스 눕시 패딩 95", lambda: "롱패딩 블랙 100", lambda: "경량패딩 유니클로", lambda: "구스 다운 패딩 점퍼")
concept("fashion/clothes", "clothes", 5, lambda: "니트 가디건 베이지", lambda: "청바지 리바이스 501", lambda: "트렌치코트 버버리", lambda: "원피스 플로럴 55")
concept("fashion/bags", "bag chanel luxury", 3, lambda: "샤넬 클래식 플랩백 미듐", lambda: "샤넬 보이백 블랙")
concept("fashion/bags", "bag gucci luxury", 3, lambda: "구찌 마몬트 숄더백", lambda: "구찌 디오니서스 미니")
concept("fashion/bags", "bag luxury", 3, lambda: "루이비통 네버풀 MM", lambda: "프라다 리나일론 백팩")
concept("fashion/bags", "bag", 3, lambda: "에코백 캔버스 가방", lambda: "백팩 잔스포츠")
concept("fashion/bags", "bag laptop_bag", 3, lambda: "노트북 가방 15인치", lambda: "노트북가방 13인치 파우치")

# Kids, books, hobbies, misc
concept("kids/gear", "stroller kids", 5, lambda: "유모차 부가부 폭스", lambda: "스토케 유모차 익스플로리", lambda: "휴대용 유모차 요요", lambda: "절충형 유모차 싸게")
concept("kids/gear", "car_seat kids", 3, lambda: "카시트 다이치 원픽스", lambda: "주니어 카시트 브라이텍스")
concept("kids/gear", "baby_carrier kids", 2, lambda: "아기띠 에르고 옴니", lambda: "힙시트 아기띠 포그내")
concept("kids/toys", "lego toy", 7, lambda: "레고 테크닉 42115 람보르기니", lambda: "레고 스타워즈 밀레니엄팔콘", lambda: "LEGO 시티 소방서", lambda: "레고 닌자고 일괄", lambda: "레고 프렌즈 하트레이크")
concept("kids/toys", "toy kids", 4, lambda: "뽀로로 장난감 일괄", lambda: "타요 버스 장난감", lambda: "아기 장난감 피셔프라이스")
concept("books", "book", 6, lambda: "해리포터 전집 1-7", lambda: "수능 기출문제집 2025", lambda: "토익 교재 해커스", lambda: "만화책 원피스 1-100권", lambda: "소설책 일괄 판매")
concept("hobby/cups", "starbucks tumbler", 5, lambda: "스타벅스 텀블러 한정판", lambda: "스벅 리유저블컵 10개", lambda: "Starbucks 체리블라썸 텀블러", lambda: "스타벅스 콜드컵 벤티")
concept("hobby/cups", "tumbler", 2, lambda: "써모스 텀블러 500ml", lambda: "스탠리 텀블러 887ml")
concept("hobby/instruments", "guitar", 4, lambda: "통기타 야마하 FG800", lambda: "일렉기타 펜더 스트랫", lambda: "어쿠스틱 기타 입문용")
concept("hobby/instruments", "piano", 3, lambda: "디지털피아노 야마하 P125", lambda: "전자 피아노 88건반")

# A brand named in a title is a fact about the listing ("삼성 전자레인지" is a Samsung product),
# whatever its concept says; products a brand makes without naming it (갤럭시) carry the tag
# from their concept.
BRANDS = {
    "samsung": ["삼성", "samsung"], "lg": ["lg", "엘지"], "apple": ["애플", "apple"], "sony": ["소니", "sony"],
    "canon": ["캐논", "canon"], "nike": ["나이키", "nike"], "adidas": ["아디다스", "adidas"],
}

listings = []
for category, tags, count, templates in CONCEPTS:
    for _ in range(count):
        title = pick(PREFIX) + pick(templates)() + pick(SUFFIX)
        named = {brand for brand, names in BRANDS.items() if any(name in title.lower() for name in names)}
        listings.append({"title": title.strip(), "category": category, "tags": sorted(tags | named)})
random.shuffle(listings)
for number, listing in enumerate(listings, start=1):
    listing["id"] = number

# (query, kind, tags any-of-sets): relevant = listings holding every tag of one of the sets.
QUERIES = []


def q(text, kind, *tag_sets):
    QUERIES.append((text, kind, [set(t.split()) for t in tag_sets]))


# plain: a word as buyers type it
for text, tags in [
    ("아이폰", "iphone"), ("갤럭시", "galaxy"), ("맥북", "macbook"), ("아이패드", "ipad"), ("에어팟", "airpods"),
    ("모니터", "monitor"), ("키보드", "keyboard"), ("마우스", "mouse"), ("헤드폰", "headphones"), ("스피커", "speaker"),
    ("노트북", "laptop"), ("카메라", "camera"), ("텐트", "tent"), ("소파", "sofa"), ("책상", "desk"), ("침대", "bed"),
    ("책장", "bookshelf"), ("유모차", "stroller"), ("카시트", "car_seat"), ("아기띠", "baby_carrier"), ("패딩", "padding"),
    ("텀블러", "tumbler"), ("킥보드", "kickboard"), ("세탁기", "washer"), ("냉장고", "fridge"), ("드라이기", "hair_dryer"),
    ("에어프라이어", "air_fryer"), ("커피머신", "coffee_machine"), ("기타", "guitar"), ("피아노", "piano"), ("레고", "lego"),
    ("장난감", "toy"), ("골프", "golf"), ("스노우보드", "snowboard"), ("가방", "bag"),
    ("충전기", "charger"), ("식탁", "table"), ("테이블", "table"), ("캠핑", "camping"), ("헬리녹스", "camping_chair"),
    ("브롬톤", "brompton"), ("시디즈", "office_chair"), ("다이슨", "dyson"), ("소니", "sony"), ("캐논", "canon"),
    ("tv", "tv"), ("플립", "flip"), ("폴드", "fold"), ("책", "book"),
]:
    q(text, "plain", tags)

# compound: the word is written inside longer words in many titles
for text, tags in [
    ("자전거", "bicycle"), ("의자", "chair"), ("청소기", "vacuum"), ("프로맥스", "promax"), ("케이스", "phone_case"),
    ("체어", "chair"), ("기계식키보드", "mechanical_keyboard"), ("로봇청소기", "robot_vacuum"), ("무선청소기", "vacuum"),
    ("전기자전거", "e_bike"), ("접이식자전거", "folding_bike"), ("로드자전거", "road_bike"), ("산악자전거", "mtb"),
    ("게이밍의자", "gaming_chair"), ("사무용의자", "office_chair"), ("캠핑의자", "camping_chair"), ("투명케이스", "clear_case"),
    ("노트북가방", "laptop_bag"), ("필름카메라", "film_camera"), ("무선충전기", "wireless_charger"), ("소형냉장고", "small_fridge"),
    ("게이밍노트북", "gaming_laptop"), ("게이밍모니터", "gaming_monitor"), ("전동킥보드", "kickboard"), ("롱패딩", "padding"),
    ("갤럭시탭", "galaxy_tab"), ("갤럭시워치", "galaxy_watch"), ("애플워치", "apple_watch"), ("아이패드미니", "ipad_mini"),
    ("맥북에어", "macbook_air"), ("닌텐도스위치", "switch"), ("플스5", "ps5"), ("에어팟프로", "airpods_pro"),
]:
    q(text, "compound", tags)

# spacing: written with a space where titles have none, or the other way round
for text, tags in [
    ("캠핑 의자", "camping_chair"), ("접이식 자전거", "folding_bike"), ("로드 자전거", "road_bike"), ("전기 자전거", "e_bike"),
    ("게이밍 의자", "gaming_chair"), ("사무용 의자", "office_chair"), ("로봇 청소기", "robot_vacuum"),
    ("무선 청소기", "vacuum"), ("아이폰 15 프로", "iphone15 pro"), ("아이폰15 프로", "iphone15 pro"),
    ("아이폰 15프로", "iphone15 pro"), ("아이폰 13 미니", "mini"), ("아이폰13미니", "mini"), ("갤럭시 s24", "galaxys24"),
    ("갤럭시s23", "galaxys23"), ("갤럭시 탭", "galaxy_tab"), ("갤럭시 워치", "galaxy_watch"), ("애플 워치", "apple_watch"),
    ("에어팟 프로", "airpods_pro"), ("에어 팟", "airpods"), ("맥북 에어", "macbook_air"), ("맥북 프로", "macbook_pro"),
    ("닌텐도 스위치", "switch"), ("스위치 oled", "switch_oled"), ("플스 5", "ps5"), ("플레이 스테이션", "playstation"),
    ("아이패드 프로", "ipad_pro"), ("아이패드 미니", "ipad_mini"), ("에어 프라이어", "air_fryer"), ("커피 머신", "coffee_machine"),
    ("노트북 가방", "laptop_bag"), ("필름 카메라", "film_camera"), ("전동 킥보드", "kickboard"), ("게이밍 모니터", "gaming_monitor"),
    ("무선 충전기", "wireless_charger"), ("기계식 키보드", "mechanical_keyboard"), ("롱 패딩", "padding"), ("스노우 보드", "snowboard"),
]:
    q(text, "spacing", tags)

# choseong: initials only; relevant are the things whose name starts with them
for text, tag_sets in [
    ("ㅇㅇㅍ", ["iphone", "airpods", "ipad"]), ("ㅇㅇㅍㄷ", ["ipad"]), ("ㄱㄹㅅ", ["galaxy"]), ("ㅈㅈㄱ", ["bicycle"]),
    ("ㅁㅂ", ["macbook"]), ("ㅇㅍㄹㅇ", ["air_fryer"]), ("ㄴㅌㄷ", ["nintendo"]), ("ㅇㅈ", ["chair"]),
    ("ㅇㅁㅊ", ["stroller"]), ("ㄴㅈㄱ", ["fridge"]), ("ㅅㅌㄱ", ["washer"]), ("ㅁㄴㅌ", ["monitor"]),
    ("ㅋㅂㄷ", ["keyboard", "kickboard"]), ("ㄷㅇㅅ", ["dyson"]), ("ㅋㅁㄹ", ["camera"]), ("ㅊㅅㄱ", ["vacuum"]),
    ("ㅌㅌ", ["tent"]), ("ㅍㄷ", ["padding", "fold"]), ("ㄹㄱ", ["lego"]), ("ㅌㅂㄹ", ["tumbler"]), ("ㅅㅍㅋ", ["speaker"]),
    ("ㅎㄷㅍ", ["headphones"]), ("ㄴㅌㅂ", ["laptop"]), ("ㅇㅍㅇㅊ", ["apple_watch"]), ("ㅋㅅㅌ", ["car_seat"]),
    ("ㄱㅇㅁ ㅇㅈ", ["gaming_chair"]), ("ㅈㅇㅅ ㅈㅈㄱ", ["folding_bike"]), ("ㄷㄹㅇㄱ", ["hair_dryer"]),
    ("ㅅㅇㅊ", ["switch"]), ("ㅎㄹㄴㅅ", ["camping_chair"]),
]:
    q(text, "choseong", *tag_sets)

# typo: one keystroke wrong, missing or extra in a word of 4+ keystrokes
for text, tags in [
    ("아이펀", "iphone"), ("아이폼", "iphone"), ("갤럭사", "galaxy"), ("겔럭시", "galaxy"), ("자전가", "bicycle"),
    ("자전어", "bicycle"), ("에어팥", "airpods"), ("에아팟", "airpods"), ("닌텐더", "nintendo"), ("닌탠도", "nintendo"),
    ("맥묵", "macbook"), ("멕북", "macbook"), ("다이선", "dyson"), ("유모자", "stroller"), ("냉장거", "fridge"),
    ("켐핑", "camping"), ("모니타", "monitor"), ("키보두", "keyboard"), ("청소가", "vacuum"), ("아이페드", "ipad"),
    ("스피카", "speaker"), ("헤드펀", "headphones"), ("노트븍", "laptop"), ("카매라", "camera"), ("텀블라", "tumbler"),
    ("쇼파", "sofa"), ("세탁가", "washer"), ("드라이거", "hair_dryer"), ("킥보다", "kickboard"), ("레거", "lego"),
    ("iphnoe", "iphone"), ("galaxi", "galaxy"), ("macbok", "macbook"), ("nintedo", "nintendo"), ("airpds", "airpods"),
    ("playstaton", "playstation"), ("dysen", "dyson"), ("starbuks", "starbucks"), ("monitr", "monitor"), ("keybaord", "keyboard"),
]:
    q(text, "typo", tags)

# brand: Latin or Hangul, full names and short forms
for text, tags in [
    ("iphone", "iphone"), ("iphone 15", "iphone15"), ("iphone 14 pro", "iphone14 pro"), ("galaxy", "galaxy"),
    ("galaxy s24", "galaxys24"), ("airpods", "airpods"), ("airpods pro", "airpods_pro"), ("macbook", "macbook"),
    ("macbook air", "macbook_air"), ("ipad", "ipad"), ("nintendo", "nintendo"), ("nintendo switch", "switch"),
    ("switch", "switch"), ("플스", "playstation"), ("ps5", "ps5"), ("플레이스테이션", "playstation"), ("ps4", "ps4"),
    ("dyson", "dyson"), ("lego", "lego"), ("나이키", "nike"), ("nike", "nike"), ("아디다스", "adidas"), ("adidas", "adidas"),
    ("뉴발란스", "new_balance"), ("갤탭", "galaxy_tab"), ("galaxy tab", "galaxy_tab"), ("apple watch", "apple_watch"),
    ("galaxy watch", "galaxy_watch"), ("스벅", "starbucks"), ("starbucks", "starbucks"), ("스타벅스", "starbucks"),
    ("삼성", "samsung"), ("samsung", "samsung"), ("애플", "apple"), ("apple", "apple"), ("엘지", "lg"), ("lg", "lg"),
    ("그램", "gram"), ("gram", "gram"), ("sony", "sony"), ("canon", "canon"), ("후지필름", "fujifilm"), ("fujifilm", "fujifilm"),
    ("xbox", "xbox"), ("엑스박스", "xbox"), ("gopro", "gopro"), ("고프로", "gopro"), ("bike", "bicycle"),
    ("샤넬", "chanel"), ("gucci", "gucci"), ("아이폰15프로맥스", "iphone15 promax"), ("iphone 15 pro max", "iphone15 promax"),
]:
    q(text, "brand", tags)

queries = []
for text, kind, tag_sets in QUERIES:
    relevant = sorted(l["id"] for l in listings if any(tags <= set(l["tags"]) for tags in tag_sets))
    if not relevant:
        continue
    queries.append({"query": text, "kind": kind, "relevant": relevant})

with open(HERE / "corpus.jsonl", "w", encoding="utf-8") as out:
    for listing in sorted(listings, key=lambda l: l["id"]):
        out.write(json.dumps({"id": listing["id"], "title": listing["title"], "category": listing["category"],
                              "tags": listing["tags"]}, ensure_ascii=False) + "\n")
with open(HERE / "queries.jsonl", "w", encoding="utf-8") as out:
    for query in queries:
        out.write(json.dumps(query, ensure_ascii=False) + "\n")
kinds = {}
for query in queries:
    kinds[query["kind"]] = kinds.get(query["kind"], 0) + 1
print(f"{len(listings)} listings, {len(queries)} queries: {kinds}")
